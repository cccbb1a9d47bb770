// The sample app's own tests: the unchanged AppModule (MessagioModule.forRoot
// with a Redis connection) with its BullMQ part swapped for the test harness.
import '../../lib/testing/jest.js';
import { jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { MessagioModule, MessagioValidationError } from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestingModule, type MessagioTestingModuleOptions } from '../../lib/testing/index.js';
import { AppModule } from '../../sample/app.module.js';
import { ActivityLog } from '../../sample/orders/activity-log.js';
import { OrderConfirmed } from '../../sample/orders/order-confirmed.message.js';
import { OrderLine } from '../../sample/orders/order-line.js';
import { OrderPlaced } from '../../sample/orders/order-placed.message.js';
import { OrdersService } from '../../sample/orders/orders.service.js';
import { TransientError } from '../../sample/orders/transient.error.js';
import { runOrders } from '../../sample/run-orders.js';

async function sampleApp(options: MessagioTestingModuleOptions = {}): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    // Exactly what main.ts boots; nothing listens on this port, and nothing will connect to it.
    imports: [AppModule.forRoot({ connection: { host: '127.0.0.1', port: 1 } })],
  })
    .overrideModule(MessagioModule)
    .useModule(MessagioTestingModule.forRoot(options))
    .compile();
  await app.init();
  return app;
}

const order = (id = 'A-1', email = 'ada@example.com') =>
  new OrderPlaced(id, email, [new OrderLine('KEYBOARD', 1, 4999), new OrderLine('CABLE-USB-C', 2, 899)]);

describe('sample: orders', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;
  let orders: OrdersService;
  let log: ActivityLog;

  beforeEach(async () => {
    app = await sampleApp();
    harness = app.get(MessagioTestHarness);
    orders = app.get(OrdersService);
    log = app.get(ActivityLog);
  });
  afterEach(async () => app.close());

  it('an order is emailed, reserved, charged after one retry, audited, confirmed and shipped', async () => {
    const receipt = await orders.place(order());
    expect(log.entries).toEqual([]); // queued: nothing ran yet

    const summary = await harness.drain();
    expect(summary).toMatchObject({ fired: 1, retried: 1, failed: 0, completed: 6, pending: 0 });
    expect(summary.elapsed).toBe(200); // payment's retryDelay, on the virtual clock

    expect(harness).toHaveHandled(OrderPlaced, 'email');
    expect(harness).toHaveHandled(OrderPlaced, 'payment');
    expect(harness).toHaveFired(OrderConfirmed, { orderId: 'A-1', paymentRef: 'pay-A-1' });
    expect(harness).toHaveHandled(OrderConfirmed, 'shipping');
    expect(harness).not.toHaveFailed();
    expect(log.entries.find((e) => e.listener === 'email')!.note).toBe('receipt to ada@example.com, total 67.97 EUR');

    expect(harness.trace(receipt.traceId).firedBy('payment').map((m) => m.type)).toEqual(['orders.order-confirmed']);
    expect(harness.trace(receipt.traceId).format()).toBe(
      [
        'orders.order-placed',
        '├─ email: completed',
        '├─ stock: completed',
        '├─ payment: completed (2 attempts)',
        '│  └─ orders.order-confirmed',
        '│     ├─ shipping: completed',
        '│     └─ audit: completed',
        '└─ audit: completed',
      ].join('\n'),
    );
  });

  it('placeAndWait() (sync) returns once OrderPlaced’s listeners ran, the payment retry included; the confirmation is queued', async () => {
    await orders.placeAndWait(order('A-2'));
    expect(harness.handled(OrderPlaced).map((d) => `${d.listener}:${d.transport}`)).toEqual(['email:sync', 'stock:sync', 'payment:sync', 'audit:sync']);
    expect(harness).not.toHaveHandled(OrderConfirmed);
    await harness.drain();
    expect(harness).toHaveHandled(OrderConfirmed, 'shipping');
  });

  it('a payment gateway that stays down: retried 3 times over 1.4 s of virtual time, then failed, nothing confirmed', async () => {
    harness.failNext('payment', 4, () => new TransientError('gateway down'));
    await orders.place(order('A-3'));
    const summary = await harness.drain();
    expect(summary).toMatchObject({ retried: 3, failed: 1, elapsed: 200 + 400 + 800 });
    expect(harness).toHaveFailed(OrderPlaced, 'payment', TransientError);
    expect(harness.failed(OrderPlaced, 'payment')[0]!.attempts).toHaveLength(4);
    expect(harness).not.toHaveFired(OrderConfirmed);
    expect(harness).toHaveHandled(OrderPlaced, 'email');
  });

  it('an invalid order is refused when placed, as in production', async () => {
    const error = await orders.place(order('A-4', 'not-an-email')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect((error as MessagioValidationError).properties).toEqual(['customerEmail']);
    expect(harness.fired()).toEqual([]);
  });

  it('a listener can be stubbed to look at what it receives', async () => {
    const emails: string[] = [];
    harness.stub<OrderPlaced>('email', (placed) => emails.push(`${placed.customerEmail}: ${placed.totalCents()}`));
    await orders.place(order('A-5'));
    await harness.drain();
    expect(emails).toEqual(['ada@example.com: 6797']);
    expect(log.entries.some((e) => e.listener === 'email')).toBe(false);
  });
});

describe('sample: orders, publisher alone (capture mode)', () => {
  it('records what OrdersService fires and runs no listener', async () => {
    const app = await sampleApp({ mode: 'capture' });
    try {
      await app.get(OrdersService).place(order('B-1', 'grace@example.com'));
      const harness = app.get(MessagioTestHarness);
      expect(harness).toHaveFired(OrderPlaced, {
        orderId: 'B-1',
        customerEmail: 'grace@example.com',
        lines: [{ sku: 'KEYBOARD', quantity: 1, unitPriceCents: 4999 }, expect.objectContaining({ sku: 'CABLE-USB-C' })],
        placedAt: expect.any(Date),
      });
      expect(harness.fired(OrderPlaced)[0]!.listeners).toEqual(['email', 'stock', 'payment', 'audit']);
      expect(app.get(ActivityLog).entries).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('sample: the run of `npm run sample`, without Redis', () => {
  it('passes its own checks on the harness in autoDrain mode', async () => {
    const app = await sampleApp({ mode: 'autoDrain' });
    const print = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await runOrders(app, 1000);
      expect(print.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('✓'))).toHaveLength(3);
      expect(app.get(ActivityLog).entries).toHaveLength(21);
    } finally {
      print.mockRestore();
      await app.close();
    }
  });
});
