import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { MESSAGIO_TRANSPORT, MessagioConfigurationError, MessagioContext, MessagioPublisher, OnMessagio, type BullMqTransport } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { eventually, uniqueQueue } from '../support/redis.js';

function transportQueue(app: TestingModule, name: string) {
  return app.get<BullMqTransport>(MESSAGIO_TRANSPORT).queues.get(name)!;
}

// BullMQ 6 (open source) limits rate and parallelism per queue, not per job
// name or group (groups are BullMQ Pro): a listener is held to a limit by
// routing it to a queue of its own, whose limits are the module's `queues`
// settings. The other listeners of the same message, on other queues, are not
// held back.

@Injectable()
class MailAndAudit {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'mailer', queue: 'mail' }) mail(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('mailer', msg, ctx);
  }
  @OnMessagio(PerformAction, { id: 'audit' }) audit(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('audit', msg, ctx);
  }
}

describe.each(['bullmq', 'postgres'] as const)('a limit on one listener (%s)', (transport) => {
  it('a listener routed to a queue with limiter { max: 5, duration: 1000 } starts at most 5 a second; the other listener is not held back', async () => {
    const app = await createApp({
      transport,
      providers: [MailAndAudit],
      queues: { mail: { limiter: { max: 5, duration: 1000 }, concurrency: 10 } },
      worker: { concurrency: 10 },
    });
    try {
      await app.get(MessagioPublisher).fireMany(Array.from({ length: 15 }, (_, i) => new PerformAction('limited', i)));
      const recorder = app.get(Recorder);
      await recorder.waitFor(30, 15_000);
      const audit = recorder.of('audit').map((c) => c.at);
      // When BullMQ took each delivery (the limiter counts there; the listener starts a little later).
      const taken = await Promise.all(recorder.of('mailer').map(async (c) => (await transportQueue(app, 'mail').getJob(c.context.deliveryId))!.processedOn!));
      const mailer = taken.sort((a, b) => a - b);
      // BullMQ's windows are fixed (from the first delivery it takes once the last one expired), and
      // a listener starts a little after its delivery is taken (more so on PostgreSQL): any 6
      // consecutive starts span most of a second (unlimited, all 15 would start within ~100 ms)...
      for (let i = 0; i + 5 < mailer.length; i++) expect(mailer[i + 5]! - mailer[i]!).toBeGreaterThanOrEqual(700);
      // ... and the 11th to 15th cannot start before two whole windows have passed.
      expect(mailer[10]! - mailer[0]!).toBeGreaterThanOrEqual(2000 - 50);
      // The audit listener of the same messages ran them all before the mailer could start its sixth.
      expect(Math.max(...audit)).toBeLessThan(mailer[5]!);
    } finally {
      await app.close();
    }
  }, 20_000);
});

describe('a parallelism limit on one listener across instances', () => {
  it('globalConcurrency 2 on its queue: two instances of concurrency 4 run at most 2 of its deliveries at once', async () => {
    let running = 0;
    let most = 0;
    @Injectable()
    class Heavy {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction, { id: 'heavy', queue: 'heavy' }) async run(msg: PerformAction, ctx: MessagioContext) {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 80));
        running--;
        this.recorder.record('heavy', msg, ctx);
      }
    }
    const queueName = uniqueQueue('global');
    const options = { queueName, providers: [Heavy], queues: { heavy: { concurrency: 4, globalConcurrency: 2 } }, worker: { concurrency: 4 } };
    const apps: TestingModule[] = [await createApp(options), await createApp(options)];
    try {
      await apps[0]!.get(MessagioPublisher).fireMany(Array.from({ length: 12 }, (_, i) => new PerformAction('heavy', i)));
      await eventually(() => apps.reduce((n, app) => n + app.get(Recorder).calls.length, 0) === 12, 15_000, 'twelve deliveries');
      expect(most).toBe(2);
    } finally {
      for (const app of apps) await app.close();
    }
  }, 20_000);

  it.each([
    ['globalConcurrency 0', { globalConcurrency: 0 }, /queues.heavy.globalConcurrency must be a whole number ≥ 1/],
    ['a limiter without duration', { limiter: { max: 5 } }, /queues.heavy.limiter.duration must be a whole number ≥ 1/],
  ])('%s: MessagioConfigurationError at bootstrap', async (_what, settings, message) => {
    const error = await createApp({ queues: { heavy: settings as never } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(message);
  });
});
