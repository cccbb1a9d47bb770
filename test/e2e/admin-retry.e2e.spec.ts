import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MemoryTransport,
  MessagioAdmin,
  MessagioContext,
  MessagioPublisher,
  OnMessagio,
  type Delivery,
  type DeliveryHandler,
  type FailedFilter,
  type MessagioTransport,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { FatalError, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';
import { eventually } from '../support/redis.js';

/** Two listeners of one message that fail while told to. */
@Injectable()
class Failing {
  static failChosen = true;
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(PerformAction, { id: 'chosen' })
  chosen(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('chosen', msg, ctx);
    if (Failing.failChosen) throw new FatalError(`chosen ${msg.objId}`);
  }

  @OnMessagio(PerformAction, { id: 'other' })
  other(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('other', msg, ctx);
    throw new FatalError(`other ${msg.objId}`);
  }
}

const MESSAGES = 250;

/** Runs of a listener per message id. */
function runsOf(app: TestingModule, listener: string): Map<string, number> {
  const runs = new Map<string, number>();
  for (const call of app.get(Recorder).of(listener)) runs.set(call.context.messageId, (runs.get(call.context.messageId) ?? 0) + 1);
  return runs;
}

describe.each(TRANSPORTS)('MessagioAdmin.retry by filter (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it(`retries every failed delivery of a listener (${MESSAGES} of them, among others), each exactly once`, async () => {
    Failing.failChosen = true;
    app = await createApp({ transport, providers: [Failing] });
    const admin = app.get(MessagioAdmin);
    const publisher = app.get(MessagioPublisher);
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i += 50) {
      const receipts = await publisher.fireMany(Array.from({ length: 50 }, (_, k) => new PerformAction('bulk', i + k)));
      ids.push(...receipts.map((r) => r.messageId));
    }
    const settledWith = async (failed: number) => {
      const c = await admin.counts();
      return c.failed === failed && c.queued + c.running + c.delayed === 0;
    };
    await eventually(() => settledWith(2 * MESSAGES), 30_000, `${2 * MESSAGES} failed deliveries`);
    const chosen = ids.map((id) => `${id}|chosen`).sort();

    // They fail again while the retry pages through the failed set: each is still retried once.
    const retried = await admin.retry({ listener: 'chosen' });
    expect(retried).toHaveLength(MESSAGES);
    expect([...retried].sort()).toEqual(chosen);
    await eventually(async () => runsOf(app, 'chosen').size === MESSAGES && [...runsOf(app, 'chosen').values()].every((n) => n === 2) && settledWith(2 * MESSAGES), 30_000, 'every chosen delivery to run again');
    await new Promise((r) => setTimeout(r, 300));
    expect([...runsOf(app, 'chosen').values()].every((n) => n === 2)).toBe(true);
    expect([...runsOf(app, 'other').values()].every((n) => n === 1)).toBe(true);

    // And all of them run again once they can succeed.
    Failing.failChosen = false;
    expect([...(await admin.retry({ type: 'orders.perform-action', listener: 'chosen' }))].sort()).toEqual(chosen);
    await eventually(() => settledWith(MESSAGES), 30_000, 'every chosen delivery to complete');
    expect((await admin.counts()).completed).toBe(MESSAGES);
    expect([...runsOf(app, 'chosen').values()].every((n) => n === 3)).toBe(true);
    expect(await admin.failed({ listener: 'chosen' })).toEqual([]);
    // Listing keeps its limit.
    expect(await admin.failed({ listener: 'other' })).toHaveLength(100);
  }, 60_000);
});

/** A transport of one's own without `retryFailed`: the admin pages through `failed()` itself. */
class PlainTransport implements MessagioTransport {
  readonly name = 'plain';
  private readonly inner = new MemoryTransport();
  enqueue(deliveries: Delivery[]) {
    return this.inner.enqueue(deliveries);
  }
  start(handler: DeliveryHandler) {
    return this.inner.start(handler);
  }
  close() {
    return this.inner.close();
  }
  inspect(ids: string[]) {
    return this.inner.inspect(ids);
  }
  failed(filter: FailedFilter) {
    return this.inner.failed(filter);
  }
  retry(ids: string[]) {
    return this.inner.retry(ids);
  }
  counts() {
    return this.inner.counts();
  }
}

describe('MessagioAdmin.retry by filter on a transport without retryFailed', () => {
  it('pages through failed(): every matching delivery retried once, though each fails again at once', async () => {
    Failing.failChosen = true;
    const messages = 600; // more than a page (500), and re-failures fill the first page
    const app = await createApp({ transport: new PlainTransport(), providers: [Failing] });
    try {
      const admin = app.get(MessagioAdmin);
      const receipts = await app.get(MessagioPublisher).fireMany(Array.from({ length: messages }, (_, i) => new PerformAction('plain', i)));
      await eventually(async () => (await admin.counts()).failed === 2 * messages, 10_000, 'all deliveries to fail');
      const retried = await admin.retry({ listener: 'chosen' });
      expect([...retried].sort()).toEqual(receipts.map((r) => `${r.messageId}|chosen`).sort());
      await eventually(async () => (await admin.counts()).failed === 2 * messages && app.get(Recorder).of('chosen').length === 2 * messages, 10_000, 'the retries to fail');
      expect([...runsOf(app, 'chosen').values()].every((n) => n === 2)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
