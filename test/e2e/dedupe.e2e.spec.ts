import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MESSAGIO_TRANSPORT,
  MessagioConfigurationError,
  MessagioContext,
  MessagioPublisher,
  OnMessagio,
  type MessagioFiredEvent,
  type MessagioReceipt,
  type MessagioTransport,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS_AND_POSTGRES, pause, resume, type BackendName } from './fixtures/transports.js';
import { eventually } from '../support/redis.js';

/** Three listeners of PerformAction; `slow` holds its delivery until `release()`. */
@Injectable()
class Three {
  static hold: Promise<void> | undefined;
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'fast', priority: 9 }) fast(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('fast', msg, ctx);
  }
  @OnMessagio(PerformAction, { id: 'regular' }) regular(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('regular', msg, ctx);
  }
  @OnMessagio(PerformAction, { id: 'slow', priority: 0 }) async slow(msg: PerformAction, ctx: MessagioContext) {
    await Three.hold;
    this.recorder.record('slow', msg, ctx);
  }
}

function deferred(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const listenersOf = (calls: Recorder['calls']) => calls.map((c) => c.listener).sort();

describe.each(TRANSPORTS_AND_POSTGRES)('deduplication, one decision per message (%s)', (transport: BackendName) => {
  let app: TestingModule;
  beforeEach(() => {
    Three.hold = undefined;
  });
  afterEach(async () => app?.close());

  it('racing fires with one key: one message, each of its three listeners runs it once; every other receipt says which message it was merged into', async () => {
    const fired: MessagioFiredEvent[] = [];
    app = await createApp({ transport, providers: [Three], observers: [{ fired: (e) => fired.push(e) }], worker: { concurrency: 3 } });
    await pause(app);
    const publisher = app.get(MessagioPublisher);
    const receipts = await Promise.all(Array.from({ length: 10 }, (_, i) => publisher.fire(new PerformAction('race', i), { dedupe: { key: 'race' } })));
    const winners = receipts.filter((r) => !r.deduplicated);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!;
    expect(winner.mergedInto).toBeUndefined();
    for (const r of receipts.filter((r) => r.deduplicated)) {
      expect(r.mergedInto).toBe(winner.messageId);
      expect(r.messageId).not.toBe(winner.messageId);
    }
    // Observers see every fire; a deduplicated one stored no envelope.
    expect(fired.filter((e) => e.envelopes.length === 3).map((e) => e.receipt.messageId)).toEqual([winner.messageId]);
    expect(fired.filter((e) => e.envelopes.length === 0)).toHaveLength(9);

    await resume(app);
    // wait() on a deduplicated receipt waits for the message it was merged into.
    const outcome = await receipts.find((r) => r.deduplicated)!.wait({ timeout: 10_000 });
    expect(outcome.messageId).toBe(winner.messageId);
    expect(outcome.deliveries.map((d) => [d.listener, d.status])).toEqual([
      ['fast', 'completed'],
      ['regular', 'completed'],
      ['slow', 'completed'],
    ]);
    const recorder = app.get(Recorder);
    await new Promise((r) => setTimeout(r, 200));
    expect(listenersOf(recorder.calls)).toEqual(['fast', 'regular', 'slow']);
    expect(new Set(recorder.calls.map((c) => c.context.messageId))).toEqual(new Set([winner.messageId]));
  });

  it('simple: the key is held until every delivery of the message has finished, not just the first', async () => {
    const slow = deferred();
    Three.hold = slow.promise;
    app = await createApp({ transport, providers: [Three], worker: { concurrency: 3 } });
    const publisher = app.get(MessagioPublisher);
    const recorder = app.get(Recorder);
    const first = await publisher.fire(new PerformAction('simple', 1), { dedupe: { key: 'simple' } });
    await eventually(() => recorder.of('fast').length === 1 && recorder.of('regular').length === 1, 10_000, 'two listeners done');
    // Two of three deliveries finished, the third still runs: the message is pending.
    const during = await publisher.fire(new PerformAction('simple', 2), { dedupe: { key: 'simple' } });
    expect(during.mergedInto).toBe(first.messageId);
    slow.release();
    await first.wait({ timeout: 10_000 });
    // Once all have finished the key is free (BullMQ: the gate sees it within a poll).
    let next: MessagioReceipt | undefined;
    await eventually(async () => !(next = await publisher.fire(new PerformAction('simple', 3), { dedupe: { key: 'simple' } })).deduplicated, 10_000, 'the key freed');
    await next!.wait({ timeout: 10_000 });
    expect(recorder.calls.map((c) => (c.message as PerformAction).objId).sort()).toEqual([1, 1, 1, 3, 3, 3]);
  });

  it('throttle: one message per ttl, whatever its deliveries do', async () => {
    app = await createApp({ transport, providers: [Three] });
    const publisher = app.get(MessagioPublisher);
    const fire = (n: number) => publisher.fire(new PerformAction('throttle', n), { dedupe: { key: 'throttle', ttl: 1000 } });
    const started = Date.now();
    const first = await fire(1);
    await first.wait({ timeout: 10_000 });
    // Its deliveries all finished, but the ttl runs on.
    const second = await fire(2);
    expect(second.mergedInto).toBe(first.messageId);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, Math.max(0, started + 1100 - Date.now())));
    const third = await fire(3);
    expect(third.deduplicated).toBe(false);
    await third.wait({ timeout: 10_000 });
    expect(app.get(Recorder).calls.map((c) => (c.message as PerformAction).objId).sort()).toEqual([1, 1, 1, 3, 3, 3]);
  });

  it('debounce: later fires merge into the pending message, which runs ttl after the last one, with its payload', async () => {
    app = await createApp({ transport, providers: [Three] });
    const publisher = app.get(MessagioPublisher);
    const fire = (n: number) => publisher.fire(new PerformAction('debounce', n), { dedupe: { key: 'debounce', ttl: 500, mode: 'debounce' } });
    const first = await fire(1);
    await new Promise((r) => setTimeout(r, 200));
    const second = await fire(2);
    await new Promise((r) => setTimeout(r, 200));
    const third = await fire(3);
    const last = Date.now();
    expect([first.deduplicated, second.mergedInto, third.mergedInto]).toEqual([false, first.messageId, first.messageId]);
    // Still waiting: 400 ms after the first fire, less than ttl after the last.
    const states = await app.get<MessagioTransport>(MESSAGIO_TRANSPORT).inspect!([`${first.messageId}|fast`]);
    expect(states[0]!.status).toBe('delayed');
    const outcome = await third.wait({ timeout: 10_000 });
    expect(outcome).toMatchObject({ messageId: first.messageId, ok: true });
    const calls = app.get(Recorder).calls;
    expect(listenersOf(calls)).toEqual(['fast', 'regular', 'slow']);
    // The window's message (its id), with the last fire's payload, ttl after the last fire.
    expect(calls.every((c) => c.context.messageId === first.messageId && (c.message as PerformAction).objId === 3)).toBe(true);
    expect(Math.min(...calls.map((c) => c.at)) - last).toBeGreaterThanOrEqual(450);
  });

  it('keys are per message type, and the same messageId fired again is the same message, not a duplicate', async () => {
    @Injectable()
    class Other {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(ActionPerformed, { id: 'other' }) run(msg: ActionPerformed, ctx: MessagioContext) {
        this.recorder.record('other', msg, ctx);
      }
    }
    app = await createApp({ transport, providers: [Three, Other] });
    await pause(app);
    const publisher = app.get(MessagioPublisher);
    const action = await publisher.fire(new PerformAction('k', 1), { dedupe: { key: 'shared' }, messageId: 'fixed-id' });
    const again = await publisher.fire(new PerformAction('k', 1), { dedupe: { key: 'shared' }, messageId: 'fixed-id' });
    const other = await publisher.fire(new ActionPerformed('k'), { dedupe: { key: 'shared' } });
    expect([action.deduplicated, again.deduplicated, other.deduplicated]).toEqual([false, false, false]);
    await resume(app);
    await Promise.all([action.wait({ timeout: 10_000 }), other.wait({ timeout: 10_000 })]);
    await new Promise((r) => setTimeout(r, 200));
    expect(listenersOf(app.get(Recorder).calls)).toEqual(['fast', 'other', 'regular', 'slow']);
  });
});

describe('deduplication: what is refused', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it.each([
    ['sync', { sync: true, dedupe: { key: 'k' } }, /sync and dedupe cannot go together/],
    ['simple with a ttl', { dedupe: { key: 'k', ttl: 10, mode: 'simple' } }, /mode 'simple' holds the key until/],
    ['throttle without ttl', { dedupe: { key: 'k', mode: 'throttle' } }, /mode 'throttle' needs a ttl/],
    ['debounce without ttl', { dedupe: { key: 'k', mode: 'debounce' } }, /mode 'debounce' needs a ttl/],
    ['debounce with a delay', { delay: 10, dedupe: { key: 'k', ttl: 10, mode: 'debounce' } }, /delay and dedupe mode 'debounce' cannot go together/],
    ['an unknown mode', { dedupe: { key: 'k', mode: 'fifo' } }, /mode must be 'simple', 'throttle' or 'debounce'/],
    ['a key with a colon', { dedupe: { key: 'a:b' } }, /dedupe.key must be 1 to 128 printable ASCII/],
    ['a ttl of 0', { dedupe: { key: 'k', ttl: 0 } }, /dedupe.ttl must be a whole number/],
    ['not an object', { dedupe: 'k' }, /dedupe must be an object/],
  ])('%s: MessagioConfigurationError, nothing stored', async (_what, options, message) => {
    app = await createApp({ transport: 'memory', providers: [Three] });
    const error = await app
      .get(MessagioPublisher)
      .fire(new PerformAction('x', 1), options as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(await app.get<MessagioTransport>(MESSAGIO_TRANSPORT).counts!()).toMatchObject({ queued: 0, delayed: 0 });
  });

  it('fireMany does not deduplicate: it says so', async () => {
    app = await createApp({ transport: 'memory', providers: [Three] });
    await expect(app.get(MessagioPublisher).fireMany([new PerformAction('x', 1)], { dedupe: { key: 'k' } } as never)).rejects.toThrow(
      /fireMany\(\) does not deduplicate/,
    );
  });

  it('a transport that cannot deduplicate says so', async () => {
    const bare: MessagioTransport = { name: 'bare', enqueue: async () => undefined, start: async () => undefined, close: async () => undefined };
    app = await createApp({ transport: bare, providers: [Three] });
    await expect(app.get(MessagioPublisher).fire(new PerformAction('x', 1), { dedupe: { key: 'k' } })).rejects.toThrow(
      /The bare transport cannot deduplicate/,
    );
  });
});
