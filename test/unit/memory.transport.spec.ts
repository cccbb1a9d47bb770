import { AsyncLocalStorage } from 'node:async_hooks';
import type { DeliveryOutcome } from '../../lib/contract/delivery.types.js';
import type { MessagioEnvelope } from '../../lib/message/envelope.js';
import {
  MemoryTransport,
  MessagioConfigurationError,
  MessagioUnavailableError,
  type Delivery,
  type MessagioClock,
} from '../../lib/index.js';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';

/** A clock that only moves when told to. */
class ManualClock implements MessagioClock {
  private t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  async advance(ms: number) {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const timer of due) timer.fn();
    await flush();
  }
}

const flush = () => new Promise((r) => setImmediate(r));

function delivery(id: string, priority = 5, over: Partial<Delivery> = {}): Delivery {
  const envelope = { v: 1, type: 'T', id, traceId: 't', causationId: null, firedAt: 'x', listener: 'L', payload: { at: new Date(0) } } as unknown as MessagioEnvelope;
  return { id, envelope, priority, attempts: 1, backoff: { type: 'fixed', delay: 0 }, delay: 0, ...over };
}

/** Starts the transport with a handler that completes every delivery (after `work`) and counts them. */
async function countRuns(transport: MemoryTransport, work: () => Promise<void> | void = () => undefined): Promise<{ runs: number }> {
  const counter = { runs: 0 };
  await transport.start(async (data) => {
    counter.runs++;
    await work();
    return { status: 'completed', envelope: data as MessagioEnvelope };
  });
  return counter;
}

describe('MemoryTransport', () => {
  it('runs by priority with FIFO ties, passing JSON (not the objects) to the handler', async () => {
    const transport = new MemoryTransport();
    const seen: Array<[string, number, unknown]> = [];
    await transport.enqueue([delivery('a', 1), delivery('b', 9), delivery('c', 5), delivery('d', 9)]);
    await transport.start(async (data, { attempt }) => {
      const env = data as MessagioEnvelope;
      seen.push([env.id, attempt, env.payload.at]);
      return { status: 'completed', envelope: env };
    });
    await transport.idle();
    expect(seen.map((s) => s[0])).toEqual(['b', 'd', 'c', 'a']);
    expect(seen[0]![2]).toBe('1970-01-01T00:00:00.000Z'); // a Date went through JSON
    await transport.close();
  });

  it('ignores a delivery id it already holds (idempotency)', async () => {
    const transport = new MemoryTransport();
    const counter = await countRuns(transport);
    await transport.enqueue([delivery('same')]);
    await transport.enqueue([delivery('same')]);
    await transport.idle();
    await transport.enqueue([delivery('same')]);
    await transport.idle();
    expect(counter.runs).toBe(1);
    await transport.close();
  });

  it('retries after the outcome’s delay on its clock, with the attempt number', async () => {
    const clock = new ManualClock();
    const transport = new MemoryTransport({ clock });
    const attempts: number[] = [];
    await transport.start(async (data, { attempt }): Promise<DeliveryOutcome> => {
      attempts.push(attempt);
      const envelope = data as MessagioEnvelope;
      return attempt < 3 ? { status: 'retry', envelope, error: new Error('x'), delay: 60_000 } : { status: 'completed', envelope };
    });
    await transport.enqueue([delivery('r')]);
    await flush();
    expect(attempts).toEqual([1]);
    expect(transport.pending()).toEqual({ waiting: 0, scheduled: 1, running: 0 });
    await clock.advance(59_999);
    expect(attempts).toEqual([1]);
    await clock.advance(1);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(60_000);
    expect(attempts).toEqual([1, 2, 3]);
    await transport.idle();
    await transport.close();
  });

  it('holds delayed deliveries until due, and respects concurrency', async () => {
    const clock = new ManualClock();
    const transport = new MemoryTransport({ clock, worker: { concurrency: 2 } });
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    await transport.start(async (data) => {
      started.push((data as MessagioEnvelope).id);
      running++;
      peak = Math.max(peak, running);
      await flush();
      running--;
      return { status: 'completed', envelope: data as MessagioEnvelope };
    });
    await transport.enqueue([delivery('later', 5, { delay: 1000 }), delivery('n1'), delivery('n2'), delivery('n3')]);
    for (let i = 0; i < 5; i++) await flush();
    expect(started).toEqual(['n1', 'n2', 'n3']);
    expect(transport.pending()).toEqual({ waiting: 0, scheduled: 1, running: 0 });
    expect(peak).toBe(2);
    await clock.advance(1000);
    await transport.idle();
    expect(started).toEqual(['n1', 'n2', 'n3', 'later']);
    await transport.close();
  });

  it('pauses and resumes; close waits for the delivery in flight', async () => {
    const transport = new MemoryTransport();
    let finished = 0;
    await transport.start(async (data) => {
      await new Promise((r) => setTimeout(r, 50));
      finished++;
      return { status: 'completed', envelope: data as MessagioEnvelope };
    });
    await transport.pause();
    await transport.enqueue([delivery('p')]);
    await flush();
    expect(transport.pending().waiting).toBe(1);
    await transport.resume();
    expect(transport.pending().running).toBe(1);
    await transport.close();
    expect(finished).toBe(1);
  });

  it('hands each delivery exactly what a full JSON round trip of its envelope gives, canonical or not', async () => {
    const transport = new MemoryTransport();
    const received = new Map<string, unknown>();
    await transport.start(async (data) => {
      received.set((data as MessagioEnvelope).listener ?? String((data as { id: string }).id), data);
      return { status: 'completed', envelope: data as MessagioEnvelope };
    });
    // Two listeners of one message share the payload object (as the publisher builds them).
    const payload = { at: new Date(0), n: -0, list: [1, { deep: true }], missing: undefined };
    const base = { v: 1, type: 'T', id: 'm', traceId: 't', causationId: null, firedAt: '2026-01-01T00:00:00.000Z' };
    const envelopes: Record<string, unknown> = {
      one: { ...base, listener: 'one', payload },
      two: { ...base, listener: 'two', payload },
      // Not canonical: these go through JSON whole.
      dated: { ...base, firedAt: new Date(5), listener: 'dated', payload },
      reordered: { listener: 'reordered', ...base, payload },
      extra: { ...base, listener: 'extra', payload, extra: [undefined, Number.NaN] },
    };
    await transport.enqueue(
      Object.entries(envelopes).map(([listener, envelope]) => ({
        id: `m|${listener}`,
        envelope: envelope as MessagioEnvelope,
        priority: 5,
        attempts: 1,
        backoff: { type: 'fixed', delay: 0 },
        delay: 0,
      })),
    );
    await transport.idle();
    for (const [listener, envelope] of Object.entries(envelopes)) {
      const got = received.get(listener);
      // Same values and the same key order as JSON gives.
      expect(JSON.stringify(got)).toBe(JSON.stringify(envelope));
      expect(got).toEqual(JSON.parse(JSON.stringify(envelope)));
    }
    const one = received.get('one') as MessagioEnvelope;
    const two = received.get('two') as MessagioEnvelope;
    expect(one.payload).not.toBe(two.payload); // each delivery parses its own copy
    expect(one.payload).not.toBe(payload);
    await transport.close();
  });

  it('stores a snapshot: changing an envelope or its payload after enqueue changes nothing', async () => {
    const transport = new MemoryTransport();
    const seen: unknown[] = [];
    await transport.start(async (data) => {
      seen.push(data);
      return { status: 'completed', envelope: data as MessagioEnvelope };
    });
    await transport.pause();
    const flatPayload = { a: 1, s: 'x' };
    const nestedPayload = { a: 1, list: [1] };
    const flat = { id: 'flat', envelope: { v: 1, type: 'T', id: 'm1', traceId: 't', causationId: null, firedAt: 'x', listener: 'L', payload: flatPayload } };
    const nested = { id: 'nested', envelope: { v: 1, type: 'T', id: 'm2', traceId: 't', causationId: null, firedAt: 'x', listener: 'L', payload: nestedPayload } };
    await transport.enqueue(
      [flat, nested].map((d) => ({ ...d, envelope: d.envelope as MessagioEnvelope, priority: 5, attempts: 1, backoff: { type: 'fixed' as const, delay: 0 }, delay: 0 })),
    );
    flatPayload.a = 2;
    nestedPayload.list.push(2);
    flat.envelope.traceId = 'changed';
    await transport.resume();
    await transport.idle();
    expect(seen).toEqual([
      { ...flat.envelope, traceId: 't', payload: { a: 1, s: 'x' } },
      { ...nested.envelope, payload: { a: 1, list: [1] } },
    ]);
    await transport.close();
  });

  it('keeps only the newest finished deliveries (keepCompleted), forgetting older ones in order', async () => {
    const transport = new MemoryTransport({ keepCompleted: 3 });
    const counter = await countRuns(transport);
    // Enough to go through the retention list's compaction several times.
    for (let i = 0; i < 5000; i++) await transport.enqueue([delivery(`d${i}`)]);
    await transport.idle();
    expect(counter.runs).toBe(5000);
    expect(await transport.counts()).toMatchObject({ completed: 3 });
    const states = await transport.inspect(['d4996', 'd4997', 'd4998', 'd4999']);
    expect(states.map((s) => s.status)).toEqual(['unknown', 'completed', 'completed', 'completed']);
    // A forgotten id may be stored again, and then runs again.
    await transport.enqueue([delivery('d0'), delivery('d4999')]);
    await transport.idle();
    expect(counter.runs).toBe(5001);
    await transport.close();
  });

  it('lets its consumers catch up when a tight loop of enqueues has 1,000 deliveries waiting', async () => {
    const transport = new MemoryTransport();
    // A listener that takes a few microtask turns, as real ones do.
    const counter = await countRuns(transport, () => Promise.resolve());
    let mostWaiting = 0;
    for (let i = 0; i < 5000; i++) {
      await transport.enqueue([delivery(`t${i}`)]);
      mostWaiting = Math.max(mostWaiting, transport.pending().waiting);
    }
    await transport.idle();
    expect(counter.runs).toBe(5000);
    expect(mostWaiting).toBeGreaterThan(100); // the loop did run ahead of the consumer...
    expect(mostWaiting).toBeLessThanOrEqual(1000); // ...but never past the bound
    await transport.close();
  });

  it('does not yield while paused: deliveries pile up and run on resume', async () => {
    const transport = new MemoryTransport();
    const counter = await countRuns(transport);
    await transport.pause();
    for (let i = 0; i < 1500; i++) await transport.enqueue([delivery(`p${i}`)]);
    expect(transport.pending().waiting).toBe(1500);
    await transport.resume();
    await transport.idle();
    expect(counter.runs).toBe(1500);
    await transport.close();
  });

  describe('backpressure (maxWaiting)', () => {
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

    it('holds enqueue while maxWaiting deliveries wait, however slow the listener', async () => {
      const transport = new MemoryTransport({ maxWaiting: 10 });
      const counter = await countRuns(transport, slow);
      let mostWaiting = 0;
      for (let i = 0; i < 200; i++) {
        await transport.enqueue([delivery(`s${i}`)]);
        mostWaiting = Math.max(mostWaiting, transport.pending().waiting);
      }
      await transport.idle();
      expect(counter.runs).toBe(200);
      expect(mostWaiting).toBe(10);
      await transport.close();
    });

    it('lets held fires in oldest first, however many wait at once', async () => {
      const transport = new MemoryTransport({ maxWaiting: 3 });
      const order: string[] = [];
      let mostWaiting = 0;
      await transport.start(async (data) => {
        order.push((data as MessagioEnvelope).id);
        mostWaiting = Math.max(mostWaiting, transport.pending().waiting);
        await slow();
        return { status: 'completed', envelope: data as MessagioEnvelope };
      });
      const stored: string[] = [];
      await Promise.all(Array.from({ length: 30 }, (_, i) => transport.enqueue([delivery(`h${i}`)]).then(() => stored.push(`h${i}`))));
      await transport.idle();
      const expected = Array.from({ length: 30 }, (_, i) => `h${i}`);
      expect(stored).toEqual(expected);
      expect(order).toEqual(expected);
      expect(mostWaiting).toBe(3);
      await transport.close();
    });

    it('close() rejects the fires still held with MessagioUnavailableError, and stores none of them', async () => {
      const transport = new MemoryTransport({ maxWaiting: 1, shutdownTimeout: 1000 });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const counter = await countRuns(transport, () => gate);
      await transport.enqueue([delivery('running')]);
      await transport.enqueue([delivery('waiting')]); // the one lane is busy: this one waits, at the bound
      const held = transport.enqueue([delivery('held')]);
      await flush();
      expect(transport.pending()).toEqual({ waiting: 1, scheduled: 0, running: 1 });
      const closing = transport.close();
      await expect(held).rejects.toThrow(MessagioUnavailableError);
      await expect(held).rejects.toThrow('closed while this fire waited for room in its backlog: the message was not stored');
      release();
      await closing;
      expect(counter.runs).toBe(1);
      expect((await transport.inspect(['held']))[0]!.status).toBe('unknown');
    });

    it('holds nothing while paused (nothing makes room), and pause() lets in what was held', async () => {
      const transport = new MemoryTransport({ maxWaiting: 2 });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const counter = await countRuns(transport, () => gate);
      for (const id of ['a', 'b', 'c']) await transport.enqueue([delivery(id)]); // a runs; b and c wait
      let heldStored = false;
      const held = transport.enqueue([delivery('d')]).then(() => (heldStored = true));
      await flush();
      expect(heldStored).toBe(false);
      await transport.pause();
      await held;
      for (const id of ['e', 'f', 'g']) await transport.enqueue([delivery(id)]);
      expect(transport.pending()).toEqual({ waiting: 6, scheduled: 0, running: 1 });
      release();
      await transport.resume();
      await transport.idle();
      expect(counter.runs).toBe(7);
      await transport.close();
    });

    it('never holds a delayed delivery, nor counts it: it is scheduled, not waiting', async () => {
      const clock = new ManualClock();
      const transport = new MemoryTransport({ maxWaiting: 2, clock });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const counter = await countRuns(transport, () => gate);
      for (const id of ['a', 'b', 'c']) await transport.enqueue([delivery(id)]); // a runs; b and c wait: at the bound
      for (let i = 0; i < 20; i++) await transport.enqueue([delivery(`later${i}`, 5, { delay: 1000 })]);
      expect(transport.pending()).toEqual({ waiting: 2, scheduled: 20, running: 1 });
      release();
      await clock.advance(1000);
      await transport.idle();
      expect(counter.runs).toBe(23);
      await transport.close();
    });

    it('holds nothing before start() (fires made during bootstrap must not wait for it)', async () => {
      const transport = new MemoryTransport({ maxWaiting: 2 });
      for (let i = 0; i < 10; i++) await transport.enqueue([delivery(`early${i}`)]);
      expect(transport.pending().waiting).toBe(10);
      const counter = await countRuns(transport);
      await transport.idle();
      expect(counter.runs).toBe(10);
      await transport.close();
    });

    it('refuses a bad maxWaiting or shutdownTimeout with a MessagioConfigurationError', () => {
      expect(() => new MemoryTransport({ maxWaiting: 0 })).toThrow(new MessagioConfigurationError('MemoryTransport maxWaiting must be a whole number ≥ 1 or Infinity, got 0.'));
      expect(() => new MemoryTransport({ shutdownTimeout: Infinity })).toThrow(
        new MessagioConfigurationError('MemoryTransport shutdownTimeout must be a whole number ≥ 1, got Infinity.'),
      );
      expect(() => new MemoryTransport({ maxWaiting: Infinity })).not.toThrow();
    });
  });

  it('close() stops waiting for a hung delivery after shutdownTimeout', async () => {
    const transport = new MemoryTransport({ shutdownTimeout: 100 });
    const counter = await countRuns(transport, () => new Promise(() => undefined));
    await transport.enqueue([delivery('hung')]);
    await flush();
    expect(counter.runs).toBe(1);
    const began = Date.now();
    await transport.close();
    expect(Date.now() - began).toBeGreaterThanOrEqual(90);
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('starts its consumer loops in no one’s async context, even from inside a handler’s own store', async () => {
    const request = new AsyncLocalStorage<string>();
    const transport = new MemoryTransport({ worker: { concurrency: 2 } });
    const seen: Array<[string, string | undefined]> = [];
    await transport.start(async (data) => {
      const id = (data as MessagioEnvelope).id;
      seen.push([id, request.getStore()]);
      // Synchronously, inside a store of its own: this starts the second loop.
      if (id === 'first') request.run('first’s request', () => void transport.enqueue([delivery('second')]));
      return { status: 'completed', envelope: data as MessagioEnvelope };
    });
    await request.run('caller’s request', () => transport.enqueue([delivery('first')]));
    await transport.idle();
    expect(seen).toEqual([
      ['first', undefined],
      ['second', undefined],
    ]);
    await transport.close();
  });

  it('runs a 30-day delay after 30 days on a virtual clock, not after 29 (chained timers)', async () => {
    const DAY = 24 * 3600 * 1000;
    const clock = new VirtualClock(0);
    const transport = new MemoryTransport({ clock });
    const counter = await countRuns(transport);
    await transport.enqueue([delivery('month', 5, { delay: 30 * DAY })]);
    clock.advanceTo(29 * DAY);
    await flush();
    expect(counter.runs).toBe(0);
    expect(transport.pending()).toEqual({ waiting: 0, scheduled: 1, running: 0 });
    clock.advanceTo(30 * DAY);
    await transport.idle();
    expect(counter.runs).toBe(1);
    await transport.close();
  });
  it('runs a delivery stored while its only consumer loop is ending (found the heap empty, not yet gone)', async () => {
    // The window is a few microtasks wide: the second delivery is stored that many
    // microtasks after the first one's handler resolved, for every width in turn.
    for (let ticks = 0; ticks < 12; ticks++) {
      const transport = new MemoryTransport({ worker: { concurrency: 1 } });
      const seen: string[] = [];
      await transport.start((data) => {
        const env = data as MessagioEnvelope;
        seen.push(env.id);
        if (env.id === 'first') {
          void (async () => {
            for (let i = 0; i < ticks; i++) await Promise.resolve();
            await transport.enqueue([delivery('second')]);
          })();
        }
        return Promise.resolve({ status: 'completed', envelope: env } as DeliveryOutcome);
      });
      await transport.enqueue([delivery('first')]);
      for (let i = 0; i < 5 && seen.length < 2; i++) await flush();
      expect({ ticks, seen }).toEqual({ ticks, seen: ['first', 'second'] });
      await transport.close();
    }
  });
});
