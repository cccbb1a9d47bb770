import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString } from 'class-validator';
import {
  Messagio,
  MessagioContext,
  MessagioPayloadTooDeepError,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
  type MessagioEnvelope,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, memoryTransportOf, transportOf } from './fixtures/transports.js';
import { redisClient } from '../support/redis.js';
import { queueOf, settled } from '../support/jobs.js';

@MessagioType('guard.note')
class Note extends Messagio {
  @IsString() text: string;
  body?: unknown;
  @IsOptional() @IsDate() @Type(() => Date) due?: Date;
  constructor(text: string, body?: unknown) {
    super();
    this.text = text;
    this.body = body;
  }
}

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(Note, { id: 'note', maxRetries: 5, retryDelay: 10 }) note(msg: Note, ctx: MessagioContext) {
    this.recorder.record('note', msg, ctx);
  }
}

const envelope = (id: string, over: Record<string, unknown> = {}) => ({
  v: 1,
  type: 'guard.note',
  id,
  traceId: 't',
  causationId: null,
  firedAt: '2026-01-02T03:04:05.678Z',
  listener: 'note',
  payload: { text: 'raw' },
  ...over,
});

/** `{ a: { a: ... } }`, `levels` objects deep, built without recursion. */
function chain(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let inner = root;
  for (let level = 2; level <= levels; level++) inner = (inner.a = {}) as Record<string, unknown>;
  return root;
}

const BAD_DATES = ['not a date', '2026-02-30T00:00:00.000Z', '2026-01-01T00:00:00'];

// JSON that no Date can be made of: class-transformer's `new Date(value)` throws a TypeError.
const UNBUILDABLE = JSON.parse('{"text":"x","due":{"toString":1}}') as Record<string, unknown>;
const UNBUILDABLE_REASON =
  'MessagioEnvelopeError: Payload cannot be rebuilt as guard.note (TypeError: Cannot convert object to primitive value): ' +
  'the stored data does not fit the class, or a setter or a nested @Type class (constructed with no arguments) threw.';

describe('envelope guard on the worker (bullmq)', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('fails a stored firedAt that is not a date at once, and hands listeners a valid ctx.firedAt', async () => {
    app = await createApp({ providers: [Listeners] });
    const queue = queueOf(app);
    for (const [i, firedAt] of BAD_DATES.entries()) {
      await queue.add('guard.note', envelope(`bad-date-${i}`, { firedAt }), { jobId: `bad-date-${i}|note`, attempts: 6, backoff: { type: 'fixed', delay: 10 } });
    }
    await queue.add('guard.note', envelope('good-date'), { jobId: 'good-date|note' });
    for (const [i, firedAt] of BAD_DATES.entries()) {
      const job = await settled(queue, `bad-date-${i}|note`);
      expect([firedAt, await job.getState(), job.attemptsStarted]).toEqual([firedAt, 'failed', 1]);
      expect(job.failedReason).toBe(
        `MessagioEnvelopeError: Not a messagio envelope: "firedAt" must be an ISO-8601 date and time, such as 2026-01-02T03:04:05.678Z (got ${JSON.stringify(firedAt)}).`,
      );
    }
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    expect(recorder.calls.map((c) => c.context.messageId)).toEqual(['good-date']);
    expect(recorder.calls[0]!.context.firedAt.toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('fails a stored payload the class cannot be rebuilt from at once, with a typed reason', async () => {
    app = await createApp({ providers: [Listeners] });
    const queue = queueOf(app);
    await queue.add('guard.note', envelope('unbuildable', { payload: UNBUILDABLE }), { jobId: 'unbuildable|note', attempts: 6, backoff: { type: 'fixed', delay: 10 } });
    const job = await settled(queue, 'unbuildable|note');
    expect([await job.getState(), job.attemptsStarted]).toEqual(['failed', 1]);
    expect(job.failedReason).toBe(UNBUILDABLE_REASON);
    expect(app.get(Recorder).calls).toHaveLength(0);
  });

  it('fails a stored payload nested 100,000 levels with too-deep, and the worker goes on', async () => {
    app = await createApp({ providers: [Listeners] });
    const queue = queueOf(app);
    // JSON.stringify (and so queue.add) cannot even write such data: put its JSON text in the job hash
    // while the job waits as delayed, then promote it.
    const job = await queue.add('guard.note', envelope('deep'), { jobId: 'deep|note', delay: 60_000, attempts: 6, backoff: { type: 'fixed', delay: 10 } });
    const text = JSON.stringify(envelope('deep', { payload: '__PAYLOAD__' })).replace(
      '"__PAYLOAD__"',
      `{"text":"deep","body":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
    );
    const redis = redisClient();
    try {
      await redis.hset(queue.toKey(job.id!), 'data', text);
    } finally {
      redis.disconnect();
    }
    await job.promote();
    const failed = await settled(queue, 'deep|note');
    expect([await failed.getState(), failed.attemptsStarted]).toEqual(['failed', 1]);
    expect(failed.failedReason).toBe('MessagioEnvelopeError: Payload nests objects and arrays more than 64 levels deep (the limit); it cannot be rebuilt. Fire flatter messages.');
    await app.get(MessagioPublisher).fire(new Note('after'));
    await app.get(Recorder).waitFor(1);
    expect((app.get(Recorder).calls[0]!.message as Note).text).toBe('after');
  });
});

describe('envelope guard on the worker (memory)', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('fails a stored firedAt that is not a date at once, without running the listener', async () => {
    app = await createApp({ transport: 'memory', providers: [Listeners] });
    const transport = memoryTransportOf(app);
    await transport.enqueue(
      BAD_DATES.map((firedAt, i) => ({
        id: `bad-date-${i}|note`,
        envelope: envelope(`bad-date-${i}`, { firedAt }) as MessagioEnvelope,
        priority: 5,
        attempts: 6,
        backoff: { type: 'fixed' as const, delay: 10 },
        delay: 0,
      })),
    );
    await transport.idle();
    const states = await transport.inspect(BAD_DATES.map((_, i) => `bad-date-${i}|note`));
    expect(states.map((s) => [s.status, s.attempts])).toEqual(BAD_DATES.map(() => ['failed', 1]));
    expect(states.map((s) => s.error)).toEqual(
      BAD_DATES.map((firedAt) => `MessagioEnvelopeError: Not a messagio envelope: "firedAt" must be an ISO-8601 date and time, such as 2026-01-02T03:04:05.678Z (got ${JSON.stringify(firedAt)}).`),
    );
    expect(app.get(Recorder).calls).toHaveLength(0);
  });

  it('fails a stored payload the class cannot be rebuilt from at once, with a typed reason', async () => {
    app = await createApp({ transport: 'memory', providers: [Listeners] });
    const transport = memoryTransportOf(app);
    await transport.enqueue([
      { id: 'unbuildable|note', envelope: envelope('unbuildable', { payload: UNBUILDABLE }) as MessagioEnvelope, priority: 5, attempts: 6, backoff: { type: 'fixed', delay: 10 }, delay: 0 },
    ]);
    await transport.idle();
    const [state] = await transport.inspect(['unbuildable|note']);
    expect([state!.status, state!.attempts, state!.error]).toEqual(['failed', 1, UNBUILDABLE_REASON]);
    expect(app.get(Recorder).calls).toHaveLength(0);
  });
});

describe.each(TRANSPORTS)('payload depth at fire through %s', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('delivers a message as deep as workers accept, and refuses a deeper one at fire, storing nothing', async () => {
    app = await createApp({ transport, providers: [Listeners] });
    const publisher = app.get(MessagioPublisher);
    // The message is level 1, its `body` level 2: 63 more levels make 64.
    const receipt = await publisher.fire(new Note('deepest', chain(63)));
    expect((await receipt.wait({ timeout: 10_000 })).ok).toBe(true);
    const recorder = app.get(Recorder);
    expect((recorder.calls[0]!.message as Note).body).toEqual(chain(63));

    for (const [label, body] of [['65 levels', chain(64)], ['100,000 levels', chain(100_000)]] as const) {
      const error = await publisher.fire(new Note(label, body)).catch((e: unknown) => e);
      expect([label, error]).toEqual([label, expect.any(MessagioPayloadTooDeepError)]);
      expect((error as Error).message).toMatch(/^guard\.note payload nests objects and arrays more than 64 levels deep/);
    }
    const sync = await publisher.fire(new Note('sync', chain(64)), { sync: true }).catch((e: unknown) => e);
    expect(sync).toBeInstanceOf(MessagioPayloadTooDeepError);
    expect(await transportOf(app).counts!()).toEqual({ queued: 0, delayed: 0, running: 0, completed: 1, failed: 0 });
    expect(recorder.calls).toHaveLength(1);
  });
});
