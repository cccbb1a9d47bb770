import { Injectable } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { PostgresQueueBackend } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  MESSAGIO_TRANSPORT,
  MessagioConfigurationError,
  MessagioContext,
  MessagioInvalidMessageError,
  MessagioPublisher,
  OnMessagio,
  type BullMqTransport,
} from '../../lib/index.js';
import { MessagioHealthIndicator } from '../../lib/health/index.js';
import { freePort } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { queueOf } from '../support/jobs.js';
import { postgresConnection } from '../support/postgres.js';
import { redisConnection } from '../support/redis.js';

@Injectable()
class Routed {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'default-queue' }) here(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('default-queue', msg, ctx);
  }
  @OnMessagio(PerformAction, { id: 'critical-queue', queue: 'critical' }) there(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('critical-queue', msg, ctx);
  }
}

describe('the PostgreSQL backend (backend: { postgres })', () => {
  it('runs the default queue and the named queues on PostgreSQL; @InjectQueue gives the PostgreSQL queue', async () => {
    const app = await createApp({ transport: 'postgres', providers: [Routed], queues: { critical: { concurrency: 2 } } });
    try {
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('pg', 1));
      const outcome = await receipt.wait({ timeout: 10_000 });
      expect(outcome.deliveries.map((d) => [d.listener, d.status])).toEqual([
        ['default-queue', 'completed'],
        ['critical-queue', 'completed'],
      ]);
      const transport = app.get<BullMqTransport>(MESSAGIO_TRANSPORT);
      for (const queue of transport.queues.values()) expect(queue.getBackend()).toBeInstanceOf(PostgresQueueBackend);
      expect(queueOf(app).getBackend()).toBeInstanceOf(PostgresQueueBackend);
      expect(await queueOf(app).getJobState(`${receipt.messageId}|default-queue`)).toBe('completed');
    } finally {
      await app.close();
    }
  });

  it('the health indicator checks PostgreSQL with a round trip (BullMQ has no PING there)', async () => {
    const app = await createApp({ transport: 'postgres', imports: [TerminusModule.forRoot({ logger: false })], providers: [MessagioHealthIndicator] });
    try {
      const indicator = app.get(MessagioHealthIndicator);
      const result = await app.get(HealthCheckService).check([() => indicator.isHealthy('messagio')]);
      expect(result.details.messagio).toEqual({
        status: 'up',
        transport: 'bullmq',
        queue: queueOf(app).name,
        redis: 'not used',
        postgres: 'up',
        pingMs: expect.any(Number),
        workers: 'running',
      });
    } finally {
      await app.close();
    }
  });

  it('a payload PostgreSQL cannot store (a NUL character in a string) is an invalid message, not an outage: nothing stored', async () => {
    @Injectable()
    class Two {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction, { id: 'one' }) one(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('one', msg, ctx);
      }
      @OnMessagio(PerformAction, { id: 'two', priority: 9 }) two(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('two', msg, ctx);
      }
    }
    const app = await createApp({ transport: 'postgres', providers: [Two] });
    try {
      const error = await app
        .get(MessagioPublisher)
        .fire(new PerformAction('nul\u0000here', 1))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioInvalidMessageError);
      expect((error as Error).message).toBe(
        "orders.perform-action cannot be fired: its payload holds a NUL character (\\u0000) in a string, which PostgreSQL's JSON (jsonb) cannot store. Nothing was stored.",
      );
      expect(await app.get<BullMqTransport>(MESSAGIO_TRANSPORT).counts()).toEqual({ queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 });
      // The text of an escape (a backslash, then u0000) is no NUL: stored and delivered as it is.
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('text \\u0000 here', 2));
      expect((await receipt.wait({ timeout: 10_000 })).ok).toBe(true);
      expect(app.get(Recorder).calls.map((c) => (c.message as PerformAction).actionName)).toEqual(['text \\u0000 here', 'text \\u0000 here']);
    } finally {
      await app.close();
    }
  });

  describe('what is refused at bootstrap, with MessagioConfigurationError', () => {
    it.each([
      ['a Redis connection too', { connection: redisConnection() }, /connection \(Redis\) and backend.postgres cannot go together/],
      ['a Redis key prefix', { prefix: '{m}' }, /prefix namespaces Redis keys and does not apply to the PostgreSQL backend/],
    ])('%s', async (_what, extra, message) => {
      const error = await createApp({ transport: 'postgres', ...extra }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      expect((error as Error).message).toMatch(message);
    });

    it.each([
      ['no postgres key', {}],
      ['another key', { redis: 'redis://localhost' }],
      ['a number', { postgres: 5432 }],
    ])('a backend option that is not { postgres }: %s', async (_what, backend) => {
      const error = await createApp({ backend: backend as never, connection: undefined }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      expect((error as Error).message).toMatch(/backend(\.postgres)? must be/);
    });

    it('a schema that was never migrated: bootstrap fails saying how to migrate, before any fire', async () => {
      const { connectionString } = postgresConnection();
      const schema = `unmigrated_${randomUUID().slice(0, 8)}`;
      const error = await createApp({ backend: { postgres: { connectionString, schema } }, connection: undefined }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      expect((error as Error).message).toMatch(/schema of the queues is not migrated .*migrate: true/);
    });

    it('a server that is not there: bootstrap fails naming backend.postgres', async () => {
      const port = await freePort();
      const error = await createApp({ backend: { postgres: `postgres://postgres@127.0.0.1:${port}/postgres` }, connection: undefined }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      expect((error as Error).message).toMatch(/could not reach PostgreSQL \(backend.postgres\)/);
    });
  });
});
