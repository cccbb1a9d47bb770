import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioAdmin,
  MessagioConfigurationError,
  MessagioContext,
  MessagioDispatchError,
  MessagioFault,
  MessagioPublisher,
  MessagioValidationError,
  Messagio,
  MessageCenter,
  OnMessagio,
} from '../../lib/index.js';
import {
  MessagioInjectedFailure,
  MessagioRunawayError,
  MessagioTestHarness,
  MessagioTestingModule,
} from '../../lib/testing/index.js';
import {
  FatalError,
  Journal,
  OrderArchived,
  OrderListeners,
  OrderPlaced,
  OrderShipped,
  ShippingListeners,
  Stamped,
  TransientError,
  testingApp,
} from './fixtures.js';

const START = Date.UTC(2030, 0, 1);

/** A message no listener subscribes to. */
class UnheardNote extends Messagio {
  constructor(readonly note: string) {
    super();
  }
}

describe('MessagioTestingModule imported directly', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;
  let publisher: MessagioPublisher;
  let journal: Journal;

  beforeAll(async () => {
    app = await testingApp([OrderListeners, ShippingListeners], { startTime: new Date(START) });
    harness = app.get(MessagioTestHarness);
    publisher = app.get(MessagioPublisher);
    journal = app.get(Journal);
    journal.now = () => harness.now().getTime();
  });
  afterEach(() => {
    harness.reset();
    journal.seen.length = 0;
    OrderListeners.billingFailures = 0;
  });
  afterAll(async () => app.close());

  it('records fired messages rebuilt from their payload, with their envelopes; run mode runs nothing before drain()', async () => {
    const sent = new OrderPlaced('A-1', 2);
    const receipt = await publisher.fire(sent, { traceId: 'trace-1' });
    const [record] = harness.fired(OrderPlaced);
    expect(record!.message).toBeInstanceOf(OrderPlaced);
    expect(record!.message).not.toBe(sent);
    expect(record!.message.describe()).toBe('A-1×2');
    expect(record!.envelope).toEqual({
      v: 1,
      type: 'test.order-placed',
      id: receipt.messageId,
      traceId: 'trace-1',
      causationId: null,
      firedAt: expect.any(String),
      payload: { orderId: 'A-1', quantity: 2 },
    });
    expect(record!.listeners).toEqual(['stock', 'billing', 'audit']);
    expect(record!.receipt).toEqual(receipt);
    expect(journal.seen).toEqual([]);
    expect(harness.pending()).toBe(3);
    expect(harness.deliveries(OrderPlaced).map((d) => [d.listener, d.status])).toEqual([
      ['stock', 'queued'],
      ['billing', 'queued'],
      ['audit', 'queued'],
    ]);
  });

  it('records the headers a message carries, inherited by what its listeners fire, and those of a fire nobody hears', async () => {
    await publisher.fire(new OrderPlaced('H-1', 1), { headers: { tenantId: 'acme' } });
    await harness.drain();
    const fired = harness.fired();
    expect(fired.length).toBeGreaterThan(1);
    for (const record of fired) expect([record.type, record.envelope.headers]).toEqual([record.type, { tenantId: 'acme' }]);
    for (const delivery of harness.deliveries()) expect(delivery.envelope.headers).toEqual({ tenantId: 'acme' });
    harness.reset();
    await publisher.fire(new UnheardNote('x'), { headers: { tenantId: 'globex' } });
    expect(harness.fired(UnheardNote).map((r) => [r.listeners, r.envelope.headers])).toEqual([[[], { tenantId: 'globex' }]]);
  });

  it('drain() runs everything, cascades included, by priority, through the real pipeline, and sums it up', async () => {
    await publisher.fire(new OrderPlaced('A-2'));
    const summary = await harness.drain();
    expect(journal.seen.map((s) => `${s.listener}:${s.type}`)).toEqual([
      'stock:test.order-placed',
      'billing:test.order-placed',
      'notify:test.order-shipped', // fired by billing, default priority 5: runs before audit (0)
      'archive:test.order-archived',
      'audit:test.order-placed',
      'audit:test.order-shipped',
    ]);
    expect(journal.seen.every((s) => s.instance)).toBe(true);
    expect(summary).toEqual({ fired: 2, attempts: 6, completed: 6, retried: 0, failed: 0, elapsed: 0, pending: 0 });
    expect(harness.handled(OrderShipped).map((d) => d.listener)).toEqual(['notify', 'audit']);
    expect(harness.handled(OrderPlaced, 'billing')[0]!.message).toBeInstanceOf(OrderPlaced);
    expect(harness.fired().map((r) => r.type)).toEqual(['test.order-placed', 'test.order-shipped', 'test.order-archived']);
    expect(await harness.drain()).toMatchObject({ fired: 0, attempts: 0 });
  });

  it('runs maxRetries: 5 with retryDelay: 60_000 (exponential) on the virtual clock, never on a wall-clock timer', async () => {
    OrderListeners.billingFailures = 5;
    await publisher.fire(new OrderPlaced('A-3'));
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    let summary;
    try {
      summary = await harness.drain();
    } finally {
      setTimeoutSpy.mockRestore();
    }
    // No timer was armed while the six attempts and their 31 minutes of waits ran.
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    const billing = journal.of('billing');
    expect(billing.map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    // Waits of 60 s, 120 s, 240 s, 480 s and 960 s of virtual time between attempts.
    expect(billing.slice(1).map((s, i) => s.at - billing[i]!.at)).toEqual([60_000, 120_000, 240_000, 480_000, 960_000]);
    // stock, 6 × billing, audit, then what billing fired: notify, archive, audit.
    expect(summary).toMatchObject({ attempts: 11, retried: 5, completed: 6, failed: 0, elapsed: 1_860_000, pending: 0 });
    const [delivery] = harness.handled(OrderPlaced, 'billing');
    expect(delivery!.attempts.map((a) => [a.outcome, a.delay])).toEqual([
      ['retry', 60_000],
      ['retry', 120_000],
      ['retry', 240_000],
      ['retry', 480_000],
      ['retry', 960_000],
      ['completed', undefined],
    ]);
    expect(harness.now().getTime()).toBe(billing[0]!.at + 1_860_000);
  });

  it('advance(ms) runs what falls due and nothing later', async () => {
    OrderListeners.billingFailures = 1;
    await publisher.fire(new OrderPlaced('A-4'));
    await publisher.fire(new OrderArchived('A-0'), { delay: 30_000 });
    expect(await harness.advance(0)).toMatchObject({ attempts: 3, retried: 1, pending: 2 });
    expect(await harness.advance(29_999)).toMatchObject({ attempts: 0, elapsed: 29_999 });
    expect(await harness.advance(1)).toMatchObject({ attempts: 1, completed: 1 });
    expect(journal.of('archive')).toHaveLength(1);
    expect(await harness.advance(29_999)).toMatchObject({ attempts: 0 });
    expect(journal.of('billing')).toHaveLength(1);
    await harness.advance(1);
    expect(journal.of('billing').map((s) => s.attempt)).toEqual([1, 2]);
    expect(await harness.drain()).toMatchObject({ pending: 0 });
  });

  it('fails at once on an error outside retryOn, records it, and fires a MessagioFault under the failed delivery', async () => {
    harness.failNext('billing', 1, new FatalError('card declined'));
    const receipt = await publisher.fire(new OrderPlaced('A-5'));
    const summary = await harness.drain();
    expect(summary).toMatchObject({ failed: 1, retried: 0 });
    const [failed] = harness.failed(OrderPlaced, 'billing');
    expect(failed!.error).toBeInstanceOf(FatalError);
    expect(failed!.attempts).toHaveLength(1);
    expect(failed!.poison).toBe(false);
    expect(harness.fired(OrderShipped)).toEqual([]);
    // Nobody listens to faults in this app: none is fired.
    expect(harness.fired(MessagioFault)).toEqual([]);
    expect(harness.trace(receipt.traceId).format()).toBe(
      ['test.order-placed', '├─ stock: completed', '├─ billing: failed — FatalError: card declined', '└─ audit: completed'].join('\n'),
    );
  });

  it('failNext() with a retryable error is retried; its default error is a MessagioInjectedFailure', async () => {
    harness.failNext('billing', 2, () => new TransientError('injected'));
    await publisher.fire(new OrderPlaced('A-6'));
    await harness.drain();
    const [billing] = harness.handled(OrderPlaced, 'billing');
    expect(billing!.attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'completed']);
    expect(journal.of('billing').map((s) => s.attempt)).toEqual([3]); // the listener itself ran once

    harness.failNext('stock');
    await publisher.fire(new OrderPlaced('A-7'));
    await harness.drain();
    expect(harness.failed(OrderPlaced, 'stock')[0]!.error).toBeInstanceOf(MessagioInjectedFailure);
  });

  it('stub() replaces one listener for a test, with its options; reset() puts it back', async () => {
    const calls: string[] = [];
    harness.stub<OrderPlaced>('billing', (order, ctx) => {
      calls.push(`${order.describe()} attempt ${ctx.attempt}`);
    });
    await publisher.fire(new OrderPlaced('A-8', 3));
    await harness.drain();
    expect(calls).toEqual(['A-8×3 attempt 1']);
    expect(journal.of('billing')).toEqual([]);
    expect(harness.fired(OrderShipped)).toEqual([]);
    harness.reset();
    await publisher.fire(new OrderPlaced('A-9'));
    await harness.drain();
    expect(journal.of('billing')).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it('stub() returns a restore function, and an unknown listener id is refused with the known ones', async () => {
    const restore = harness.stub('archive', () => undefined);
    restore();
    await publisher.fire(new OrderArchived('A-10'));
    await harness.drain();
    expect(journal.of('archive')).toHaveLength(1);
    expect(() => harness.stub('nope', () => undefined)).toThrow(/No listener "nope".*known: .*billing/);
    expect(() => harness.failNext('stock', 0)).toThrow(MessagioConfigurationError);
  });

  it('trace(traceId) is the tree of messages and deliveries: firing A made billing fire B, which made notify fire C', async () => {
    OrderListeners.billingFailures = 1;
    const receipt = await publisher.fire(new OrderPlaced('A-11'));
    await harness.drain();
    const trace = harness.trace(receipt.traceId);
    expect(trace.roots).toHaveLength(1);
    expect(trace.roots[0]).toMatchObject({
      type: 'test.order-placed',
      messageId: receipt.messageId,
      causationId: null,
      deliveries: [
        { listener: 'stock', status: 'completed', attempts: 1, fired: [] },
        {
          listener: 'billing',
          status: 'completed',
          attempts: 2,
          fired: [
            {
              type: 'test.order-shipped',
              causationId: receipt.messageId,
              deliveries: [
                { listener: 'notify', fired: [{ type: 'test.order-archived', deliveries: [{ listener: 'archive', status: 'completed' }] }] },
                { listener: 'audit', fired: [] },
              ],
            },
          ],
        },
        { listener: 'audit', status: 'completed', fired: [] },
      ],
    });
    expect(trace.firedBy('billing').map((m) => m.message)).toEqual([new OrderShipped('A-11')]);
    expect(trace.firedBy('notify', 'test.order-archived')).toHaveLength(1);
    expect(trace.messages.map((m) => m.type)).toEqual(['test.order-placed', 'test.order-shipped', 'test.order-archived']);
    expect(trace.format()).toBe(
      [
        'test.order-placed',
        '├─ stock: completed',
        '├─ billing: completed (2 attempts)',
        '│  └─ test.order-shipped',
        '│     ├─ notify: completed',
        '│     │  └─ test.order-archived',
        '│     │     └─ archive: completed',
        '│     └─ audit: completed',
        '└─ audit: completed',
      ].join('\n'),
    );
    expect(harness.trace('unknown-trace').roots).toEqual([]);
  });

  it('validation runs as in production: an invalid message is refused at fire, nothing is recorded or stored', async () => {
    const error = await publisher.fire(new OrderPlaced('A-12', 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect((error as MessagioValidationError).properties).toEqual(['quantity']);
    expect(harness.fired()).toEqual([]);
    expect(harness.pending()).toBe(0);
  });

  it('sync fires run at once, their retry waits on the virtual clock too', async () => {
    OrderListeners.billingFailures = 2;
    const before = harness.now().getTime();
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    try {
      await publisher.fire(new OrderPlaced('A-13'), { sync: true });
    } finally {
      setTimeoutSpy.mockRestore();
    }
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(harness.now().getTime() - before).toBe(60_000 + 120_000);
    expect(journal.of('billing').map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(harness.handled(OrderPlaced).map((d) => [d.listener, d.transport])).toEqual([
      ['stock', 'sync'],
      ['billing', 'sync'],
      ['audit', 'sync'],
    ]);
    expect(harness.fired(OrderPlaced)[0]!.sync).toBe(true);
    // OrderShipped was fired (queued) by billing during the sync fire: it waits for drain().
    expect(harness.deliveries(OrderShipped).map((d) => d.status)).toEqual(['queued', 'queued']);
    await harness.drain();
    expect(harness.handled(OrderArchived)).toHaveLength(1);
  });

  it('firing the same messageId twice stores its deliveries once, as on BullMQ', async () => {
    await publisher.fire(new OrderArchived('A-14'), { messageId: 'same' });
    await publisher.fire(new OrderArchived('A-14'), { messageId: 'same' });
    await harness.drain();
    expect(journal.of('archive')).toHaveLength(1);
    expect(harness.fired(OrderArchived)).toHaveLength(2);
  });

  it('MessagioAdmin and receipt.wait() read the test transport', async () => {
    harness.failNext('archive', 1, new FatalError('disk full'));
    const receipt = await publisher.fire(new OrderArchived('A-15'));
    const admin = app.get(MessagioAdmin);
    expect((await admin.status(receipt.messageId)).map((s) => s.status)).toEqual(['queued']);
    await harness.drain();
    expect(await admin.failed({ listener: 'archive' })).toMatchObject([{ listener: 'archive', status: 'failed', error: 'FatalError: disk full' }]);
    expect(await admin.retry({ messageId: receipt.messageId })).toEqual([`${receipt.messageId}|archive`]);
    await harness.drain();
    expect(await receipt.wait()).toMatchObject({ ok: true });
    expect(harness.handled(OrderArchived, 'archive')[0]!.attempts).toHaveLength(1);
  });

  it('reset() drops what is queued or scheduled and forgets the records', async () => {
    OrderListeners.billingFailures = 1;
    await publisher.fire(new OrderPlaced('A-16'));
    await harness.advance(0);
    expect(harness.pending()).toBe(1); // billing waits for its retry
    harness.reset();
    expect(harness.pending()).toBe(0);
    expect(harness.fired()).toEqual([]);
    expect(await harness.drain()).toMatchObject({ attempts: 0, elapsed: 0 });
    expect(journal.of('billing')).toHaveLength(1);
  });
});

describe('validation failures on the worker side', () => {
  @Injectable()
  class StampListeners {
    faults: MessagioFault[] = [];
    ran = 0;
    @OnMessagio(Stamped, { id: 'stamp', maxRetries: 3 }) stamp() {
      this.ran++;
    }
    @OnMessagio(MessagioFault, { id: 'faults' }) fault(fault: MessagioFault) {
      this.faults.push(fault);
    }
  }

  it('a payload that only breaks once rebuilt fails without retries and is reported as a poison fault', async () => {
    const app = await testingApp([StampListeners]);
    try {
      const harness = app.get(MessagioTestHarness);
      const receipt = await app.get(MessagioPublisher).fire(new Stamped(new Date()));
      await harness.drain();
      const listeners = app.get(StampListeners);
      expect(listeners.ran).toBe(0);
      const [failed] = harness.failed(Stamped, 'stamp');
      expect(failed).toMatchObject({ poison: true, status: 'failed' });
      expect(failed!.error).toBeInstanceOf(MessagioValidationError);
      expect(failed!.attempts).toHaveLength(1);
      expect(listeners.faults).toHaveLength(1);
      expect(listeners.faults[0]).toMatchObject({ listener: 'stamp', messageId: receipt.messageId, poison: true, attempts: 1 });
      const [fault] = harness.fired(MessagioFault);
      expect(fault!.causationId).toBe(receipt.messageId);
      expect(harness.trace(receipt.traceId).format()).toBe(
        [
          'test.stamped',
          `└─ stamp: failed — MessagioValidationError: ${failed!.error!.message}`,
          '   └─ messagio.fault',
          '      └─ faults: completed',
        ].join('\n'),
      );
    } finally {
      await app.close();
    }
  });
});

describe('runaway cascades', () => {
  class Ping extends Messagio {
    n = 0;
  }
  class Pong extends Messagio {
    n = 0;
  }
  @Injectable()
  class Echo {
    @OnMessagio(Ping, { id: 'ping' }) async ping(msg: Ping) {
      await Object.assign(new Pong(), { n: msg.n + 1 }).fire();
    }
    @OnMessagio(Pong, { id: 'pong' }) async pong(msg: Pong) {
      await Object.assign(new Ping(), { n: msg.n + 1 }).fire();
    }
  }

  it('drain() stops after maxMessages with a MessagioRunawayError naming the loop, instead of hanging', async () => {
    const app = await testingApp([Echo], { maxMessages: 50 });
    try {
      const harness = app.get(MessagioTestHarness);
      await new Ping().fire();
      const error = (await harness.drain().catch((e: unknown) => e)) as MessagioRunawayError;
      expect(error).toBeInstanceOf(MessagioRunawayError);
      expect(error.maxMessages).toBe(50);
      expect(error.firedByType).toEqual({ Pong: 26, Ping: 25 });
      expect(error.chain.slice(-2)).toEqual(['Ping (fired by pong)', 'Pong (fired by ping)']);
      expect(error.message).toMatch(/more than 50 messages \(maxMessages\).*Pong ×26, Ping ×25.*Ping \(fired by pong\) → Pong \(fired by ping\)/);
      expect(harness.pending()).toBe(1);
      harness.reset();
      expect(harness.pending()).toBe(0);
      // A per-drain limit overrides the module's.
      await new Ping().fire();
      await expect(harness.drain({ maxMessages: 3 })).rejects.toThrow(/more than 3 messages/);
    } finally {
      await app.close();
    }
  });
});

describe('modes', () => {
  it('capture records fired messages and runs nothing, even on drain()', async () => {
    const app = await testingApp([OrderListeners, ShippingListeners], { mode: 'capture' });
    try {
      const harness = app.get(MessagioTestHarness);
      expect(harness.mode).toBe('capture');
      await app.get(MessagioPublisher).fire(new OrderPlaced('C-1'));
      expect(await harness.drain()).toEqual({ fired: 0, attempts: 0, completed: 0, retried: 0, failed: 0, elapsed: 0, pending: 3 });
      expect(app.get(Journal).seen).toEqual([]);
      expect(harness.fired(OrderPlaced).map((r) => r.message.orderId)).toEqual(['C-1']);
      // Switching to run for the rest of the test runs what was captured.
      await harness.setMode('run').drain();
      expect(app.get(Journal).seen).toHaveLength(6);
      harness.reset();
      expect(harness.mode).toBe('capture');
    } finally {
      await app.close();
    }
  });

  it('autoDrain: fire() resolves once everything it caused has run, retries included', async () => {
    const app = await testingApp([OrderListeners, ShippingListeners], { mode: 'autoDrain' });
    try {
      const harness = app.get(MessagioTestHarness);
      OrderListeners.billingFailures = 2;
      await new OrderPlaced('D-1').fire();
      expect(harness.pending()).toBe(0);
      expect(app.get(Journal).seen.map((s) => `${s.listener}#${s.attempt}`)).toEqual([
        'stock#1',
        'billing#1',
        'audit#1',
        'billing#2',
        'billing#3',
        'notify#1',
        'archive#1',
        'audit#1',
      ]);
      expect(harness.fired().map((r) => r.type)).toEqual(['test.order-placed', 'test.order-shipped', 'test.order-archived']);
    } finally {
      OrderListeners.billingFailures = 0;
      await app.close();
    }
  });

  it('autoDrain also runs what a sync fire’s listeners queue, and the sync fire reports failures as usual', async () => {
    const app = await testingApp([OrderListeners, ShippingListeners], { mode: 'autoDrain' });
    try {
      const harness = app.get(MessagioTestHarness);
      await app.get(MessagioPublisher).fire(new OrderPlaced('D-2'), { sync: true });
      expect(harness.handled(OrderArchived)).toHaveLength(1);
      harness.failNext('stock', 1, new FatalError('no stock'));
      const error = await app.get(MessagioPublisher).fire(new OrderPlaced('D-3'), { sync: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioDispatchError);
      expect(harness.failed(OrderPlaced, 'stock')).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe('misuse is reported clearly', () => {
  it('drain() on an app that was not initialised', async () => {
    const { Test } = await import('@nestjs/testing');
    const moduleRef = await Test.createTestingModule({ imports: [MessagioTestingModule.forRoot()], providers: [Journal, OrderListeners] }).compile();
    await expect(moduleRef.get(MessagioTestHarness).drain()).rejects.toThrow(/initialise the app first/);
    await moduleRef.close();
  });

  it.each([
    [{ mode: 'fast' }, /mode must be/],
    [{ maxMessages: 0 }, /maxMessages/],
    [{ startTime: 'yesterday' }, /startTime/],
  ])('forRoot(%p) is refused', (options, pattern) => {
    expect(() => MessagioTestingModule.forRoot(options as never)).toThrow(pattern);
  });

  it('listeners subscribed through MessageCenter can be stubbed too', async () => {
    const app = await testingApp([]);
    try {
      const seen: string[] = [];
      app.get(MessageCenter).subscribe(OrderArchived, (m) => seen.push(`real ${m.orderId}`), { id: 'center' });
      app.get(MessagioTestHarness).stub<OrderArchived>('center', (m, ctx: MessagioContext) => seen.push(`stub ${m.orderId} ${ctx.transport}`));
      await new OrderArchived('E-1').fire();
      await app.get(MessagioTestHarness).drain();
      expect(seen).toEqual(['stub E-1 test']);
    } finally {
      await app.close();
    }
  });
});
