import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import {
  MessagioClosedError,
  MessagioContext,
  MessagioNotInitializedError,
  MessagioPublisher,
  OnMessagio,
} from '../../lib/index.js';
import { MessagioTestingModule } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { Listeners } from './fixtures/listeners.js';
import { ActionPerformed, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, memoryTransportOf, transportOf } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { redisConnection } from '../support/redis.js';

/** Fires through a publisher kept from an app that was closed; returns what it rejected with. */
async function fireAfterClose(app: TestingModule): Promise<unknown[]> {
  const publisher = app.get(MessagioPublisher);
  const transport = transportOf(app);
  await app.close();
  return Promise.all([
    publisher.fire(new PerformAction('late', 1)).then(() => 'resolved', (e: unknown) => e),
    publisher.fireMany([new PerformAction('late', 2), new PerformAction('late', 3)]).then(() => 'resolved', (e: unknown) => e),
    // In process: the closed app's listeners must not run either.
    publisher.fire(new PerformAction('late', 4), { sync: true }).then(() => 'resolved', (e: unknown) => e),
    publisher.fireMany([new PerformAction('late', 5)], { sync: true }).then(() => 'resolved', (e: unknown) => e),
    // The transport itself, kept by user code (a custom setup, a test).
    transport.enqueue([]).then(() => 'resolved', (e: unknown) => e),
  ]);
}

describe.each(TRANSPORTS)('fire() after app.close() (%s)', (transport) => {
  it('the injected publisher rejects with MessagioClosedError (sync too), stores and runs nothing; message.fire() with MessagioNotInitializedError', async () => {
    const app = await createApp({ transport, providers: [Listeners] });
    const queueName = transport === 'bullmq' ? queueOf(app).name : '';
    const errors = await fireAfterClose(app);
    expect(errors).toHaveLength(5);
    for (const error of errors) {
      expect(error).toBeInstanceOf(MessagioClosedError);
      expect((error as Error).message).toBe(
        `The ${transport} transport is closed (app.close() ran): the message was not stored. ` +
          'Fire through an application that is open (listeners still running while it closes may fire until they finish).',
      );
    }
    await expect(new PerformAction('late', 6).fire()).rejects.toBeInstanceOf(MessagioNotInitializedError);
    expect(app.get(Recorder).calls).toEqual([]);
    if (transport === 'memory') {
      expect(await memoryTransportOf(app).counts()).toEqual({ queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 });
    } else {
      const queue = new Queue(queueName, { connection: redisConnection() });
      expect(await queue.count()).toBe(0);
      await queue.close();
    }
  });
});

describe('fire() after app.close() (testing module)', () => {
  it('rejects with MessagioClosedError (sync too) and runs nothing', async () => {
    const app = await Test.createTestingModule({ imports: [MessagioTestingModule.forRoot()], providers: [Recorder, Listeners] }).compile();
    await app.init();
    const errors = await fireAfterClose(app);
    expect(errors).toHaveLength(5);
    for (const error of errors) {
      expect(error).toBeInstanceOf(MessagioClosedError);
      expect((error as MessagioClosedError).transport).toBe('test');
    }
    expect(app.get(Recorder).calls).toEqual([]);
  });
});

/** A listener still running when `shutdownTimeout` ran out fires after the app closed. */
@Injectable()
class Straggler {
  static release: () => void = () => undefined;
  static outcome: Promise<unknown> | undefined;
  @OnMessagio(PerformAction, { id: 'straggler' })
  async run(msg: PerformAction, ctx: MessagioContext) {
    await new Promise<void>((resolve) => (Straggler.release = resolve));
    Straggler.outcome = new ActionPerformed(ctx.messageId).fire().then(() => 'resolved', (e: unknown) => e);
    await Straggler.outcome;
  }
  @OnMessagio(ActionPerformed, { id: 'performed' }) performed() {}
}

describe('a listener that outlives app.close() (bullmq, shutdownTimeout)', () => {
  it('gets MessagioClosedError from message.fire(), even with another app open', async () => {
    const app = await createApp({ providers: [Straggler], shutdownTimeout: 200 });
    const other = await createApp({ providers: [Listeners] });
    try {
      await app.get(MessagioPublisher).fire(new PerformAction('straggle', 1));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await app.close();
      Straggler.release();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await Straggler.outcome).toBeInstanceOf(MessagioClosedError);
    } finally {
      await other.close();
    }
  });
});
