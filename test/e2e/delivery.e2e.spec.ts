import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  type MessagioReceipt,
  MessageCenter,
  MessagioContext,
  MessagioDispatchError,
  MessagioPriority,
  MessagioPublisher,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, FatalError, PerformAction, TimeoutError } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS_AND_POSTGRES, pause, resume } from './fixtures/transports.js';
import { queueOf, settled } from '../support/jobs.js';
import { eventually } from '../support/redis.js';

/** Throws `failures` times per message, then succeeds. */
@Injectable()
class Flaky {
  static failures = 2;
  static error: new (m: string) => Error = TimeoutError;
  private readonly seen = new Map<string, number>();
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(PerformAction, { id: 'flaky', retryOn: [TimeoutError], maxRetries: 3, retryDelay: 60, backoff: 'exponential' })
  run(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('flaky', msg, ctx);
    const n = (this.seen.get(ctx.messageId) ?? 0) + 1;
    this.seen.set(ctx.messageId, n);
    if (n <= Flaky.failures) throw new Flaky.error(`attempt ${n} failed`);
  }
}

@Injectable()
class Steady {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'steady' })
  run(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('steady', msg, ctx);
  }
}

describe.each(TRANSPORTS_AND_POSTGRES)('priorities (%s)', (transport) => {
  it('runs higher priorities first once the paused worker resumes (FIFO among equals)', async () => {
    @Injectable()
    class ByPriority {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction, { id: 'p' }) run(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('p', msg, ctx);
      }
    }
    // One listener, priorities per fire come from different listeners: use one listener per level.
    const levels = [MessagioPriority.LOW, MessagioPriority.EPIC, 500, MessagioPriority.REGULAR, MessagioPriority.HIGH, 1000, MessagioPriority.LESS];
    const listeners = levels.map((priority) => {
      @Injectable()
      class Level {
        constructor(readonly recorder: Recorder) {}
        @OnMessagio(ActionPerformed, { id: `level-${priority}`, priority }) run(msg: ActionPerformed, ctx: MessagioContext) {
          this.recorder.record(`level-${priority}`, msg, ctx);
        }
      }
      Object.defineProperty(Level, 'name', { value: `Level${priority}` });
      return Level;
    });
    const app = await createApp({ transport, providers: [ByPriority, ...listeners] });
    try {
      await pause(app);
      const publisher = app.get(MessagioPublisher);
      await publisher.fire(new ActionPerformed('first'));
      await publisher.fire(new ActionPerformed('second'));
      const recorder = app.get(Recorder);
      expect(recorder.calls).toHaveLength(0);
      await resume(app);
      await recorder.waitFor(levels.length * 2);
      const order = recorder.calls.map((c) => `${c.listener}:${(c.message as ActionPerformed).actionName}`);
      const sorted = [...levels].sort((a, b) => b - a);
      expect(order).toEqual(sorted.flatMap((p) => [`level-${p}:first`, `level-${p}:second`]));
      if (transport !== 'memory') {
        const job = await queueOf(app).getJob(`${recorder.calls[0]!.context.messageId}|level-1000`);
        expect(job!.opts.priority).toBe(1);
      }
    } finally {
      await app.close();
    }
  });
});

describe('BullMQ priorities only where they matter', () => {
  it('stores FIFO jobs while a queue’s listeners share one priority, and prioritised jobs once they differ', async () => {
    const app = await createApp({ providers: [Steady] });
    try {
      await pause(app);
      const publisher = app.get(MessagioPublisher);
      const recorder = app.get(Recorder);
      const uniform = await publisher.fire(new PerformAction('uniform', 1));
      // A listener of another priority joins the queue: from now on order depends on priority.
      app.get(MessageCenter).subscribe(PerformAction, (msg, ctx) => recorder.record('urgent', msg, ctx), { id: 'urgent', priority: 9 });
      const mixed = await publisher.fire(new PerformAction('mixed', 2));
      const queue = queueOf(app);
      const priorityOf = async (id: string) => (await queue.getJob(id))!.opts.priority ?? 0;
      expect(await priorityOf(`${uniform.messageId}|steady`)).toBe(0);
      expect(await priorityOf(`${mixed.messageId}|urgent`)).toBe(1001 - 9);
      expect(await priorityOf(`${mixed.messageId}|steady`)).toBe(1001 - 5);
      expect(await queue.getJobCounts('wait', 'prioritized')).toEqual({ wait: 1, prioritized: 2 });

      await resume(app);
      await recorder.waitFor(3);
      // The FIFO job was fired first and runs first; then the prioritised ones by priority.
      expect(recorder.calls.map((c) => `${c.listener}:${(c.message as PerformAction).actionName}`)).toEqual([
        'steady:uniform',
        'urgent:mixed',
        'steady:mixed',
      ]);
    } finally {
      await app.close();
    }
  });
});

describe.each(TRANSPORTS_AND_POSTGRES)('retries (%s)', (transport) => {
  let app: TestingModule;
  beforeEach(() => {
    Flaky.failures = 2;
    Flaky.error = TimeoutError;
  });
  afterEach(async () => app?.close());

  it('retries an error in retryOn, with exponential backoff, until it succeeds', async () => {
    app = await createApp({ transport, providers: [Flaky] });
    await app.get(MessagioPublisher).fire(new PerformAction('retry', 1));
    const recorder = app.get(Recorder);
    await recorder.waitFor(3);
    const calls = recorder.of('flaky');
    expect(calls.map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    expect(calls.every((c) => c.context.maxAttempts === 4)).toBe(true);
    expect(new Set(calls.map((c) => c.context.deliveryId)).size).toBe(1);
    // retryDelay 60 exponential: ≥60 ms before attempt 2, ≥120 ms before attempt 3.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(55);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(115);
    if (transport !== 'memory') {
      const job = await settled(queueOf(app), calls[0]!.context.deliveryId);
      expect(await job.getState()).toBe('completed');
      expect(job.attemptsStarted).toBe(3);
    }
  });

  it('stops after maxRetries', async () => {
    Flaky.failures = 10;
    app = await createApp({ transport, providers: [Flaky] });
    await app.get(MessagioPublisher).fire(new PerformAction('exhaust', 1));
    const recorder = app.get(Recorder);
    await recorder.waitFor(4);
    await new Promise((r) => setTimeout(r, 600)); // a 5th attempt would come 480 ms after the 4th
    expect(recorder.of('flaky').map((c) => c.context.attempt)).toEqual([1, 2, 3, 4]);
    if (transport !== 'memory') {
      const job = await settled(queueOf(app), recorder.calls[0]!.context.deliveryId);
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsStarted).toBe(4);
      expect(job.failedReason).toMatch(/TimeoutError: attempt 4 failed/);
      expect((job.stacktrace ?? []).join('\n')).toContain('attempt 4 failed');
    }
  });

  it('fails at once on an error outside retryOn', async () => {
    Flaky.error = FatalError;
    app = await createApp({ transport, providers: [Flaky] });
    await app.get(MessagioPublisher).fire(new PerformAction('fatal', 1));
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    await new Promise((r) => setTimeout(r, 250)); // a retry would come after 60 ms
    expect(recorder.of('flaky')).toHaveLength(1);
    if (transport !== 'memory') {
      const job = await settled(queueOf(app), recorder.calls[0]!.context.deliveryId);
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/^FatalError: attempt 1 failed/);
    }
  });

  it('waits a fixed retryDelay, and any error is retryable when retryOn is empty', async () => {
    @Injectable()
    class Fixed {
      private n = 0;
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction, { maxRetries: 2, retryDelay: 100, backoff: 'fixed' }) run(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('fixed', msg, ctx);
        if (++this.n < 3) throw new FatalError('any error');
      }
    }
    app = await createApp({ transport, providers: [Fixed] });
    await app.get(MessagioPublisher).fire(new PerformAction('fixed', 1));
    const recorder = app.get(Recorder);
    await recorder.waitFor(3);
    const [a, b, c] = recorder.calls;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(95);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(95);
    expect(c!.at - b!.at).toBeLessThan(3000);
  });

  it('applies defaultListenerOptions under each listener’s own options', async () => {
    @Injectable()
    class Defaults {
      private n = 0;
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction) inherits(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('inherits', msg, ctx);
        if (++this.n === 1) throw new Error('once');
      }
      @OnMessagio(PerformAction, { maxRetries: 0, priority: 9 }) overrides(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('overrides', msg, ctx);
      }
    }
    app = await createApp({ transport, providers: [Defaults], defaultListenerOptions: { maxRetries: 2, retryDelay: 20, priority: 8 } });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('d', 1));
    expect(receipt.listeners).toEqual(['Defaults.overrides', 'Defaults.inherits']);
    const recorder = app.get(Recorder);
    await recorder.waitFor(3);
    expect(recorder.of('inherits').map((c) => [c.context.attempt, c.context.maxAttempts])).toEqual([[1, 3], [2, 3]]);
    expect(recorder.of('overrides')[0]!.context.maxAttempts).toBe(1);
  });
});

describe.each(TRANSPORTS_AND_POSTGRES)('one delivery per (message, listener) (%s)', (transport) => {
  it('retries only the failing listener; the one that succeeded runs once', async () => {
    Flaky.failures = 1;
    Flaky.error = TimeoutError;
    const app = await createApp({ transport, providers: [Flaky, Steady] });
    try {
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('both', 1));
      const recorder = app.get(Recorder);
      await recorder.waitFor(3);
      await new Promise((r) => setTimeout(r, 150));
      expect(recorder.of('steady')).toHaveLength(1);
      expect(recorder.of('flaky').map((c) => c.context.attempt)).toEqual([1, 2]);
      if (transport !== 'memory') {
        const queue = queueOf(app);
        const steady = await settled(queue, `${receipt.messageId}|steady`);
        const flaky = await settled(queue, `${receipt.messageId}|flaky`);
        expect(steady.attemptsStarted).toBe(1);
        expect(flaky.attemptsStarted).toBe(2);
        expect(steady.name).toBe('orders.perform-action');
        expect(steady.data).toEqual({
          v: 1,
          type: 'orders.perform-action',
          id: receipt.messageId,
          traceId: receipt.traceId,
          causationId: null,
          firedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          listener: 'steady',
          payload: { actionName: 'both', objId: 1 },
        });
        expect(flaky.opts).toMatchObject({ attempts: 4, backoff: { type: 'exponential', delay: 60 } });
        // Both listeners have priority 5: FIFO is priority order, so no BullMQ priority (see "BullMQ priorities").
        expect(steady.opts.priority ?? 0).toBe(0);
        expect(flaky.opts.priority ?? 0).toBe(0);
        // Without retries nothing about them is stored (BullMQ reads back its default, 0: one attempt).
        expect(steady.opts.attempts ?? 0).toBe(0);
        expect(steady.opts.backoff).toBeUndefined();
        const keys = ['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener', 'payload'];
        // PostgreSQL keeps job data as jsonb, which does not keep the order of keys.
        if (transport === 'postgres') expect(Object.keys(steady.data).sort()).toEqual([...keys].sort());
        else expect(Object.keys(steady.data)).toEqual(keys);
      }
    } finally {
      await app.close();
    }
  });
});

describe.each(TRANSPORTS_AND_POSTGRES)('sync mode (%s app)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('runs listeners in this process, in priority order (ties: subscription order), through the full pipeline', async () => {
    const order: string[] = [];
    const seen: PerformAction[] = [];
    @Injectable()
    class Sync {
      @OnMessagio(PerformAction, 1) low(msg: PerformAction, ctx: MessagioContext) {
        order.push(`low:${ctx.transport}`);
        seen.push(msg);
      }
      @OnMessagio(PerformAction, 9) highA() {
        order.push('highA');
      }
      @OnMessagio(PerformAction, 9) highB() {
        order.push('highB');
      }
    }
    app = await createApp({ transport, providers: [Sync] });
    const sent = new PerformAction('sync', 5);
    const receipt = await sent.fire({ sync: true });
    // Everything ran before fire() resolved.
    expect(order).toEqual(['highA', 'highB', 'low:sync']);
    expect(receipt.listeners).toEqual(['Sync.highA', 'Sync.highB', 'Sync.low']);
    expect(seen[0]).toBeInstanceOf(PerformAction);
    expect(seen[0]).not.toBe(sent); // serialised and rebuilt, as on a worker
    expect(seen[0]).toEqual(sent);
  });

  it('applies the retry policy and rejects with MessagioDispatchError after the others ran', async () => {
    Flaky.failures = 1;
    Flaky.error = TimeoutError;
    const ran: string[] = [];
    @Injectable()
    class Others {
      @OnMessagio(PerformAction, { id: 'boom', priority: 10 }) boom() {
        ran.push('boom');
        throw new FatalError('kaput');
      }
      @OnMessagio(PerformAction, { id: 'after', priority: 0 }) after() {
        ran.push('after');
      }
    }
    app = await createApp({ transport, providers: [Flaky, Others] });
    const error = (await app.get(MessagioPublisher).fire(new PerformAction('s', 1), { sync: true }).catch((e: unknown) => e)) as MessagioDispatchError;
    expect(error).toBeInstanceOf(MessagioDispatchError);
    expect(error.failures).toHaveLength(1);
    expect(error.failures[0]).toMatchObject({ listener: 'boom', attempts: 1 });
    expect(error.failures[0]!.error).toBeInstanceOf(FatalError);
    expect(error.message).toContain('boom (after 1 attempt): FatalError: kaput');
    expect(ran).toEqual(['boom', 'after']);
    // flaky failed once (TimeoutError is in retryOn) and succeeded on its retry
    expect(app.get(Recorder).of('flaky').map((c) => c.context.attempt)).toEqual([1, 2]);
  });

  it('keeps each delivery’s outcome for receipt.wait(), also when the fire rejected', async () => {
    @Injectable()
    class Mixed {
      @OnMessagio(PerformAction, { id: 'fine', priority: 9 }) fine() {}
      @OnMessagio(PerformAction, { id: 'fussy', maxRetries: 1, retryDelay: 1 }) fussy(msg: PerformAction) {
        if (msg.actionName === 'fail') throw new FatalError('refused');
      }
    }
    const receipts: MessagioReceipt[] = [];
    app = await createApp({ transport, providers: [Mixed], observers: [{ fired: (e) => void (e.sync && receipts.push(e.receipt as MessagioReceipt)) }] });
    const publisher = app.get(MessagioPublisher);

    const ok = await publisher.fire(new PerformAction('pass', 1), { sync: true });
    const outcome = await ok.wait({ timeout: 100 });
    expect(outcome.ok).toBe(true);
    expect(outcome.deliveries.map((d) => [d.listener, d.status, d.attempts, d.type])).toEqual([
      ['fine', 'completed', 1, 'orders.perform-action'],
      ['fussy', 'completed', 1, 'orders.perform-action'],
    ]);
    expect(outcome.deliveries[0]!.finishedAt).toBeInstanceOf(Date);

    await expect(publisher.fire(new PerformAction('fail', 2), { sync: true })).rejects.toBeInstanceOf(MessagioDispatchError);
    // The receipt an observer got for the rejected fire still reports what happened.
    const failed = await receipts[1]!.wait({ timeout: 100 });
    expect(failed.ok).toBe(false);
    const fussy = failed.deliveries.find((d) => d.listener === 'fussy')!;
    expect(fussy).toMatchObject({ status: 'failed', attempts: 2, error: 'FatalError: refused', messageId: receipts[1]!.messageId });
    expect(fussy.stack).toContain('FatalError: refused');
  });

  it('lists every listener that failed for good', async () => {
    @Injectable()
    class TwoFail {
      @OnMessagio(PerformAction, { id: 'a', maxRetries: 1, retryDelay: 1 }) a() {
        throw new Error('a broke');
      }
      @OnMessagio(PerformAction, { id: 'b' }) b() {
        throw 'a string';
      }
    }
    app = await createApp({ transport, providers: [TwoFail] });
    const error = (await app.get(MessagioPublisher).fire(new PerformAction('s', 1), { sync: true }).catch((e: unknown) => e)) as MessagioDispatchError;
    expect(error.failures.map((f) => [f.listener, f.attempts, f.error.message])).toEqual([
      ['a', 2, 'a broke'],
      ['b', 1, 'Listener threw a non-Error value: a string'],
    ]);
  });
});

describe('queued failures are logged with messageId and traceId', () => {
  it('logs the final failure through Nest Logger', async () => {
    const { Logger } = await import('@nestjs/common');
    const spy = jest.spyOn(Logger.prototype, 'error');
    @Injectable()
    class Fails {
      @OnMessagio(PerformAction, { id: 'fails' }) run() {
        throw new FatalError('for good');
      }
    }
    const app = await createApp({ providers: [Fails] });
    try {
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('log', 1), { traceId: 'trace-log' });
      await eventually(() => spy.mock.calls.some((c) => String(c[0]).includes(receipt.messageId)), 5000, 'the failure log');
      const line = String(spy.mock.calls.find((c) => String(c[0]).includes(receipt.messageId))![0]);
      expect(line).toContain('fails failed for good on orders.perform-action');
      expect(line).toContain('traceId=trace-log');
      expect(line).toContain('FatalError: for good');
    } finally {
      spy.mockRestore();
      await app.close();
    }
  });
});
