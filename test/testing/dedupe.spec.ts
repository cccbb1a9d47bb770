import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { MessagioContext, MessagioPublisher, OnMessagio } from '../../lib/index.js';
import { MessagioTestHarness } from '../../lib/testing/index.js';
import { OrderPlaced, testingApp } from './fixtures.js';

// What the harness records of deduplicated fires: every fire (its receipt says
// whether it was merged), and only the deliveries of the message that holds the key.

@Injectable()
class Stock {
  readonly seen: string[] = [];
  @OnMessagio(OrderPlaced, { id: 'stock' }) run(order: OrderPlaced, ctx: MessagioContext) {
    this.seen.push(`${ctx.messageId} ${order.describe()}`);
  }
}

describe('deduplication under the test harness', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;
  let publisher: MessagioPublisher;
  beforeEach(async () => {
    app = await testingApp([Stock], { startTime: Date.UTC(2030, 0, 1) });
    harness = app.get(MessagioTestHarness);
    publisher = app.get(MessagioPublisher);
  });
  afterEach(async () => app.close());

  it('debounce: records each fire, and the pending message’s deliveries with the payload they will run with', async () => {
    const fire = (quantity: number) => publisher.fire(new OrderPlaced('A-1', quantity), { dedupe: { key: 'A-1', ttl: 1000, mode: 'debounce' } });
    const first = await fire(1);
    await harness.advance(600);
    await fire(2);
    await harness.advance(600);
    const last = await fire(3);
    expect(last.mergedInto).toBe(first.messageId);

    const fired = harness.fired(OrderPlaced);
    expect(fired.map((r) => [r.message.quantity, r.receipt?.deduplicated, r.listeners])).toEqual([
      [1, false, ['stock']],
      [2, true, []],
      [3, true, []],
    ]);
    expect(harness.deliveries(OrderPlaced).map((d) => [d.messageId, d.message.quantity, d.status])).toEqual([[first.messageId, 3, 'queued']]);
    // Nothing runs before ttl has passed since the last fire.
    await harness.advance(999);
    expect(app.get(Stock).seen).toEqual([]);
    const summary = await harness.advance(1);
    expect(summary.completed).toBe(1);
    expect(app.get(Stock).seen).toEqual([`${first.messageId} A-1×3`]);
  });

  it('throttle: a fire within the ttl is recorded as merged and runs nothing; after it, a new message', async () => {
    const fire = () => publisher.fire(new OrderPlaced('B-1'), { dedupe: { key: 'B-1', ttl: 60_000 } });
    const first = await fire();
    await harness.drain();
    expect((await fire()).mergedInto).toBe(first.messageId);
    await harness.advance(60_000);
    expect((await fire()).deduplicated).toBe(false);
    await harness.drain();
    expect(harness.handled(OrderPlaced)).toHaveLength(2);
  });
});
