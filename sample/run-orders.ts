import type { INestApplicationContext } from '@nestjs/common';
import type { FireReceipt } from '../lib/index.js';
import { ActivityLog, type Activity } from './orders/activity-log.js';
import { OrderLine } from './orders/order-line.js';
import { OrderPlaced } from './orders/order-placed.message.js';
import { OrdersService } from './orders/orders.service.js';
import { OutOfStockError } from './orders/out-of-stock.error.js';

const PLACED = 'orders.order-placed';
const CONFIRMED = 'orders.order-confirmed';

/** Listener calls every order must produce: [listener id, message type, outcome]. */
const EXPECTED_PER_ORDER: ReadonlyArray<readonly [string, string, Activity['outcome']]> = [
  ['email', PLACED, 'done'],
  ['stock', PLACED, 'done'],
  ['payment', PLACED, 'failed'], // first attempt: TransientError
  ['payment', PLACED, 'done'], // the retry
  ['audit', PLACED, 'done'],
  ['shipping', CONFIRMED, 'done'],
  ['audit', CONFIRMED, 'done'],
];

/**
 * Fires three orders (placed in a database transaction through the outbox,
 * message.fire(), and a sync fire), then places one that runs out of stock
 * (rolled back: no row, no message), waits until every expected listener call
 * happened, prints them, and checks that the follow-up OrderConfirmed carried
 * the trace along and that only the committed order is stored. Throws on any miss.
 */
export async function runOrders(app: INestApplicationContext, timeout: number): Promise<void> {
  const orders = app.get(OrdersService);
  const log = app.get(ActivityLog);

  const first = await orders.place(
    new OrderPlaced('A-1001', 'ada@example.com', [new OrderLine('KEYBOARD', 1, 4999), new OrderLine('CABLE-USB-C', 2, 899)]),
  );
  printFire('A-1001', 'fire(order, { transaction })', first);
  if (first.pending !== 'outbox') throw new Error(`A-1001 was not written to the outbox (pending: ${String(first.pending)})`);

  const second = await new OrderPlaced('A-1002', 'grace@example.com', [new OrderLine('MONITOR', 1, 18900)]).fire();
  printFire('A-1002', 'order.fire()', second);

  const third = await orders.placeAndWait(new OrderPlaced('A-1003', 'linus@example.com', [new OrderLine('MOUSE', 3, 2500)]));
  printFire('A-1003', 'publisher.fire(order, { sync: true })', third);
  // With sync: true, fire() resolves only after all of OrderPlaced's listeners ran here.
  const ranBeforeReturn = log.entries.filter((e) => e.orderId === 'A-1003' && e.type === PLACED && e.outcome === 'done');
  const missingSync = third.listeners.filter((id) => !ranBeforeReturn.some((e) => e.listener === id));
  if (missingSync.length > 0) throw new Error(`sync fire of A-1003 returned before ${missingSync.join(', ')} ran`);

  // Five monitors, three in stock: the transaction rolls back after the fire, taking OrderPlaced with it.
  const refused = await orders.place(new OrderPlaced('A-1004', 'alan@example.com', [new OrderLine('MONITOR', 5, 18900)])).catch((e: unknown) => e);
  if (!(refused instanceof OutOfStockError)) throw new Error(`A-1004 should have run out of stock, got ${String(refused)}`);
  console.log(`Rolled back A-1004: ${refused.message}`);

  const orderIds = ['A-1001', 'A-1002', 'A-1003'];
  const expected = orderIds.flatMap((orderId) => EXPECTED_PER_ORDER.map(([listener, type, outcome]) => ({ orderId, listener, type, outcome })));
  const missing = (entries: Activity[]) =>
    expected.filter((x) => !entries.some((e) => e.orderId === x.orderId && e.listener === x.listener && e.type === x.type && e.outcome === x.outcome));
  await log.waitUntil(
    (entries) => missing(entries).length === 0,
    timeout,
    (entries) => `still missing ${missing(entries).map((x) => `${x.listener} ${x.outcome} on ${x.type} of ${x.orderId}`).join('; ')}`,
  );

  console.log('\nWhat the listeners did (per order, in the order it happened):');
  for (const orderId of orderIds) {
    for (const entry of log.entries.filter((e) => e.orderId === orderId)) console.log(formatActivity(entry));
  }

  const extra = log.entries.length - expected.length;
  if (extra !== 0) throw new Error(`expected ${expected.length} listener calls, saw ${log.entries.length}`);
  // Only the committed order is stored; A-1002 and A-1003 were fired without a transaction.
  const stored = await orders.placedOrderIds();
  if (stored.join() !== 'A-1001') throw new Error(`expected the orders table to hold A-1001 only, it holds [${stored.join(', ')}]`);
  console.log('');
  for (const orderId of orderIds) console.log(checkTrace(orderId, log.entries.filter((e) => e.orderId === orderId)));
}

function printFire(orderId: string, how: string, receipt: FireReceipt): void {
  console.log(
    `Fired ${orderId} via ${how.padEnd(38)} message ${short(receipt.messageId)}  trace ${short(receipt.traceId)}  → ${receipt.listeners.join(', ')}`,
  );
}

function formatActivity(e: Activity): string {
  const mark = e.outcome === 'done' ? '✓' : '✗';
  const time = `+${(e.at / 1000).toFixed(2)}s`.padStart(7);
  return `  ${time} ${mark} ${e.listener.padEnd(8)} ${e.orderId}  attempt ${e.attempt}/${e.maxAttempts}  trace ${short(e.traceId)}  ${e.transport.padEnd(6)}  ${e.note}`;
}

/** Everything an order caused shares one traceId; OrderConfirmed names OrderPlaced as its cause. */
function checkTrace(orderId: string, entries: Activity[]): string {
  const placed = entries.filter((e) => e.type === PLACED);
  const confirmed = entries.filter((e) => e.type === CONFIRMED);
  const placedId = placed[0]!.messageId;
  const traceId = placed[0]!.traceId;
  const problems: string[] = [];
  if (entries.some((e) => e.traceId !== traceId)) problems.push('traceIds differ');
  if (placed.some((e) => e.messageId !== placedId || e.causationId !== null)) problems.push('OrderPlaced is not one root message');
  if (confirmed.some((e) => e.causationId !== placedId)) problems.push(`OrderConfirmed's causationId is not ${short(placedId)}`);
  if (problems.length > 0) throw new Error(`trace of ${orderId}: ${problems.join('; ')}`);
  return `✓ ${orderId}: trace ${short(traceId)} — OrderPlaced ${short(placedId)} (root) → OrderConfirmed ${short(confirmed[0]!.messageId)} (causationId ${short(placedId)})`;
}

function short(id: string): string {
  return id.slice(0, 8);
}
