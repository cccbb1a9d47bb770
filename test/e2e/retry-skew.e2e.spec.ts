import { Injectable, type Type } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioContext,
  MessagioFault,
  MessagioPublisher,
  OnMessagio,
  type OnMessagioOptions,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { FatalError, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { queueOf, settled } from '../support/jobs.js';
import { eventually, uniqueQueue } from '../support/redis.js';

/** Listener `skewed` with these options; it fails its first `failures` attempts of each message. */
function skewedListener(options: Omit<OnMessagioOptions, 'id'>, failures: number): Type {
  @Injectable()
  class Skewed {
    constructor(private readonly recorder: Recorder) {}
    @OnMessagio(PerformAction, { ...options, id: 'skewed' })
    run(msg: PerformAction, ctx: MessagioContext) {
      this.recorder.record('skewed', msg, ctx);
      if (ctx.attempt <= failures) throw new FatalError(`attempt ${ctx.attempt} failed`);
    }
  }
  return Skewed;
}

@Injectable()
class Faults {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(MessagioFault, { id: 'faults' })
  onFault(fault: MessagioFault, ctx: MessagioContext) {
    this.recorder.record('fault', fault, ctx);
  }
}

/**
 * A rolling deploy: the publishing process (publish-only) registered listener
 * `skewed` with other options than the worker that runs it. The job stores
 * the publisher's attempts and backoff; the worker's options must decide.
 */
describe('retries decided by the worker, whatever the firing process stored (bullmq)', () => {
  let publisherApp: TestingModule | undefined;
  let workerApp: TestingModule | undefined;
  afterEach(async () => {
    await workerApp?.close();
    await publisherApp?.close();
    publisherApp = workerApp = undefined;
  });

  async function start(publisherOptions: Omit<OnMessagioOptions, 'id'>, workerOptions: Omit<OnMessagioOptions, 'id'>, failures: number) {
    const queueName = uniqueQueue('skew');
    publisherApp = await createApp({ queueName, worker: false, providers: [skewedListener(publisherOptions, failures)] });
    workerApp = await createApp({ queueName, providers: [skewedListener(workerOptions, failures), Faults] });
    const receipt = await publisherApp.get(MessagioPublisher).fire(new PerformAction('skew', 1));
    return { deliveryId: `${receipt.messageId}|skewed`, receipt, recorder: workerApp.get(Recorder) };
  }

  it('retries the worker allows run, though the job was stored without retries', async () => {
    const { deliveryId, recorder } = await start({ maxRetries: 0 }, { maxRetries: 2, retryDelay: 10 }, 2);
    const job = await settled(queueOf(publisherApp!), deliveryId);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBe(3);
    expect(recorder.of('skewed').map((c) => [c.context.attempt, c.context.maxAttempts])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(recorder.of('fault')).toHaveLength(0);
  });

  it('a worker without retries fails at once, with its fault and formatted reason, though the job allowed retries', async () => {
    const { deliveryId, receipt, recorder } = await start({ maxRetries: 3, retryDelay: 10 }, { maxRetries: 0 }, 10);
    const job = await settled(queueOf(publisherApp!), deliveryId);
    await eventually(() => recorder.of('fault').length === 1, 10_000, 'the fault');
    await new Promise((r) => setTimeout(r, 200)); // a retry would come after 10 ms
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe('FatalError: attempt 1 failed');
    expect(recorder.of('skewed')).toHaveLength(1);
    expect(recorder.of('fault')[0]!.message).toMatchObject({ messageId: receipt.messageId, listener: 'skewed', attempts: 1 });
  });

  it('when the worker’s retries are spent, the job fails with its fault and formatted reason', async () => {
    const { deliveryId, receipt, recorder } = await start({ maxRetries: 0 }, { maxRetries: 2, retryDelay: 10 }, 10);
    const job = await settled(queueOf(publisherApp!), deliveryId);
    await eventually(() => recorder.of('fault').length === 1, 10_000, 'the fault');
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe('FatalError: attempt 3 failed');
    expect(job.stacktrace?.at(-1)).toContain('attempt 3 failed');
    expect(recorder.of('skewed').map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    expect(recorder.of('fault')[0]!.message).toMatchObject({ messageId: receipt.messageId, listener: 'skewed', attempts: 3, error: { name: 'FatalError', message: 'attempt 3 failed' } });
  });
});
