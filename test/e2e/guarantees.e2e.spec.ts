import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioAdmin,
  MessagioContext,
  MessagioFault,
  MessagioPayloadTooLargeError,
  MessagioPublisher,
  MessagioTimeoutError,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { FatalError, PerformAction, TimeoutError } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, pause, transportOf } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { eventually } from '../support/redis.js';

@Injectable()
class Failing {
  static fail = true;
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(PerformAction, { id: 'fragile', retryOn: [TimeoutError], maxRetries: 1, retryDelay: 10 })
  fragile(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('fragile', msg, ctx);
    if (Failing.fail) throw new TimeoutError(`timed out on ${msg.actionName}`);
  }

  @OnMessagio(PerformAction, { id: 'solid' })
  solid(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('solid', msg, ctx);
  }
}

@Injectable()
class Faults {
  static throwInFault = false;
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(MessagioFault, { id: 'faults' })
  onFault(fault: MessagioFault, ctx: MessagioContext) {
    this.recorder.record('fault', fault, ctx);
    if (Faults.throwInFault) throw new FatalError('fault handler broke');
  }
}

describe.each(TRANSPORTS)('delivery guarantees (%s)', (transport) => {
  let app: TestingModule;
  beforeEach(() => {
    Failing.fail = true;
    Faults.throwInFault = false;
  });
  afterEach(async () => app?.close());

  it('fires a MessagioFault for a delivery that failed for good, with everything needed to act on it', async () => {
    app = await createApp({ transport, providers: [Failing, Faults] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('doomed', 7));
    const recorder = app.get(Recorder);
    await eventually(() => recorder.of('fault').length === 1, 10_000, 'the fault');
    const { message, context } = recorder.of('fault')[0]!;
    const fault = message as MessagioFault;
    expect(fault).toBeInstanceOf(MessagioFault);
    expect(fault).toMatchObject({
      type: 'orders.perform-action',
      messageId: receipt.messageId,
      traceId: receipt.traceId,
      listener: 'fragile',
      attempts: 2,
      error: { name: 'TimeoutError', message: 'timed out on doomed' },
      payload: { actionName: 'doomed', objId: 7 },
      poison: false,
    });
    expect(fault.error.stack).toContain('timed out on doomed');
    expect(context.traceId).toBe(receipt.traceId);
    expect(context.causationId).toBe(receipt.messageId);
  });

  it('a failing fault listener produces no further fault', async () => {
    Faults.throwInFault = true;
    app = await createApp({ transport, providers: [Failing, Faults] });
    await app.get(MessagioPublisher).fire(new PerformAction('loop?', 1));
    const recorder = app.get(Recorder);
    await eventually(() => recorder.of('fault').length === 1, 10_000, 'the fault');
    await new Promise((r) => setTimeout(r, 300));
    expect(recorder.of('fault')).toHaveLength(1);
    const failed = await app.get(MessagioAdmin).failed({ listener: 'faults' });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toBe('FatalError: fault handler broke');
  });

  it('receipt.wait() resolves with each listener’s outcome', async () => {
    app = await createApp({ transport, providers: [Failing] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('wait', 1));
    const outcome = await receipt.wait({ timeout: 10_000 });
    expect(outcome.ok).toBe(false);
    expect(outcome.deliveries.map((d) => [d.listener, d.status, d.attempts])).toEqual([
      ['fragile', 'failed', 2],
      ['solid', 'completed', 1],
    ]);
    expect(outcome.deliveries[0]!.error).toBe('TimeoutError: timed out on wait');
    Failing.fail = false;
    const ok = await (await app.get(MessagioPublisher).fire(new PerformAction('fine', 1))).wait();
    expect(ok.ok).toBe(true);
  });

  it('receipt.wait() rejects with MessagioTimeoutError naming what is still pending', async () => {
    app = await createApp({ transport, providers: [Failing] });
    await pause(app);
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('stuck', 1));
    const error = (await receipt.wait({ timeout: 200 }).catch((e: unknown) => e)) as MessagioTimeoutError;
    expect(error).toBeInstanceOf(MessagioTimeoutError);
    expect(error.pending.sort()).toEqual(['fragile', 'solid']);
  });

  it('MessagioAdmin: status per listener, failed(), retry() of exactly the chosen deliveries, counts()', async () => {
    app = await createApp({ transport, providers: [Failing] });
    const admin = app.get(MessagioAdmin);
    const publisher = app.get(MessagioPublisher);
    const a = await publisher.fire(new PerformAction('a', 1));
    const b = await publisher.fire(new PerformAction('b', 2));
    await a.wait();
    await b.wait();
    expect((await admin.status(a.messageId)).map((s) => [s.listener, s.status, s.attempts, s.error])).toEqual([
      ['fragile', 'failed', 2, 'TimeoutError: timed out on a'],
      ['solid', 'completed', 1, undefined],
    ]);
    const failed = await admin.failed({ type: 'orders.perform-action' });
    expect(failed.map((f) => f.messageId).sort()).toEqual([a.messageId, b.messageId].sort());
    expect(await admin.failed({ listener: 'solid' })).toEqual([]);
    expect(await admin.failed({ type: 'nope' })).toEqual([]);
    expect(await admin.counts()).toMatchObject({ completed: 2, failed: 2 });

    Failing.fail = false;
    const recorder = app.get(Recorder);
    const before = recorder.calls.length;
    expect(await admin.retry({ messageId: a.messageId, listener: 'fragile' })).toEqual([`${a.messageId}|fragile`]);
    await eventually(async () => (await admin.status(a.messageId)).every((s) => s.status === 'completed'), 10_000, 'the retried delivery');
    // Only the chosen delivery ran again: not b's, not a's completed listener.
    expect(recorder.calls.slice(before).map((c) => [c.listener, (c.message as PerformAction).actionName, c.context.attempt])).toEqual([
      ['fragile', 'a', 1],
    ]);
    expect(await admin.retry({ listener: 'fragile' })).toEqual([`${b.messageId}|fragile`]);
    await eventually(async () => (await admin.counts()).failed === 0, 10_000, 'no failed left');
    expect(await admin.retry({ messageId: a.messageId })).toEqual([]);
  });

  it('refuses payloads over maxPayloadBytes at fire, and fails stored ones on the worker', async () => {
    app = await createApp({ transport, providers: [Failing], maxPayloadBytes: 1024 });
    const big = new PerformAction('x'.repeat(2000), 1);
    const error = (await app.get(MessagioPublisher).fire(big).catch((e: unknown) => e)) as MessagioPayloadTooLargeError;
    expect(error).toBeInstanceOf(MessagioPayloadTooLargeError);
    expect(error.bytes).toBeGreaterThan(2000);
    expect(error.message).toMatch(/more than maxPayloadBytes \(1024\)/);
    // Stored by someone else (another process with a higher cap): fails at once on this worker.
    await transportOf(app).enqueue([
      {
        id: 'big|solid',
        envelope: { v: 1, type: 'orders.perform-action', id: 'big', traceId: 't', causationId: null, firedAt: new Date().toISOString(), listener: 'solid', payload: { actionName: 'y'.repeat(3000), objId: 1 } },
        priority: 5, attempts: 3, backoff: { type: 'fixed', delay: 10 }, delay: 0,
      },
    ]);
    await eventually(async () => (await app.get(MessagioAdmin).status('big'))[0]?.status === 'failed', 10_000, 'the big delivery to fail');
    const [state] = await app.get(MessagioAdmin).status('big');
    expect(state!.attempts).toBe(1);
    expect(state!.error).toMatch(/MessagioEnvelopeError: Payload is \d+ bytes, more than maxPayloadBytes \(1024\)/);
    expect(app.get(Recorder).of('solid')).toHaveLength(0);
  });
});

describe('sync fires report faults too', () => {
  it('fires a MessagioFault and still rejects with MessagioDispatchError', async () => {
    Failing.fail = true;
    const app = await createApp({ transport: 'memory', providers: [Failing, Faults] });
    try {
      await expect(app.get(MessagioPublisher).fire(new PerformAction('sync', 1), { sync: true })).rejects.toThrow(/fragile/);
      await eventually(() => app.get(Recorder).of('fault').length === 1, 5000, 'the fault');
      expect((app.get(Recorder).of('fault')[0]!.message as MessagioFault).listener).toBe('fragile');
    } finally {
      await app.close();
    }
  });
});

describe('BullMQ job records', () => {
  it('keeps a failed job in the failed set with name, message and stack', async () => {
    Failing.fail = true;
    const app = await createApp({ providers: [Failing] });
    try {
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('kept', 1));
      await receipt.wait();
      const job = await queueOf(app).getJob(`${receipt.messageId}|fragile`);
      expect(await job!.getState()).toBe('failed');
      expect(job!.failedReason).toBe('TimeoutError: timed out on kept');
      expect(job!.stacktrace?.at(-1)).toContain('timed out on kept');
      expect(job!.opts.removeOnFail).toEqual({ count: 10000, age: 604800 });
    } finally {
      await app.close();
    }
  });
});

