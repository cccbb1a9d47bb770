// The sample app's own tests: the unchanged AppModule (MessagioModule.forRoot
// with a Redis connection, the outbox on the sample's database) with its
// BullMQ part swapped for the test harness. The database is the sample's
// embedded one (PGlite, in this process): one per file, a schema per app.
import '../../lib/testing/jest.js';
import { PGlite } from '@electric-sql/pglite';
import { jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import type pg from 'pg';
import { MessagioModule, MessagioValidationError } from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestingModule, type MessagioTestingModuleOptions } from '../../lib/testing/index.js';
import { AppModule } from '../../sample/app.module.js';
import { embeddedDatabase, type SampleDatabase } from '../../sample/database/choose-database.js';
import { ActivityLog } from '../../sample/orders/activity-log.js';
import { OrderConfirmed } from '../../sample/orders/order-confirmed.message.js';
import { OrderLine } from '../../sample/orders/order-line.js';
import { OrderPlaced } from '../../sample/orders/order-placed.message.js';
import { OrdersService } from '../../sample/orders/orders.service.js';
import { OutOfStockError } from '../../sample/orders/out-of-stock.error.js';
import { TransientError } from '../../sample/orders/transient.error.js';
import { runOrders } from '../../sample/run-orders.js';

let db: PGlite;
/** The database of the app made last. */
let database: SampleDatabase;
/** Called on a client of the app's pool just before it sends COMMIT (still inside the transaction). */
let beforeCommit: ((client: pg.PoolClient) => Promise<void>) | undefined;

/** The app's pool, with its clients' COMMIT observed through `beforeCommit`. */
function observeCommits(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  pool.connect = (async () => {
    const client = await connect();
    const query = client.query.bind(client) as (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;
    client.query = (async (sql: string, params?: unknown[]) => {
      if (sql === 'COMMIT') await beforeCommit?.(client);
      return query(sql, params);
    }) as never;
    return client;
  }) as never;
}

beforeAll(async () => {
  db = await PGlite.create();
}, 120_000);

afterAll(async () => db?.close());

async function sampleApp(options: MessagioTestingModuleOptions = {}): Promise<TestingModule> {
  database = await embeddedDatabase(db);
  observeCommits(database.pool);
  beforeCommit = undefined;
  const app = await Test.createTestingModule({
    // Exactly what main.ts boots; nothing listens on this port, and nothing will connect to it.
    imports: [AppModule.forRoot({ connection: { host: '127.0.0.1', port: 1 } }, database)],
  })
    .overrideModule(MessagioModule)
    .useModule(MessagioTestingModule.forRoot(options))
    .compile();
  await app.init();
  return app;
}

/** Rows of a table of the app's schema. */
async function rows(table: string, columns = '*'): Promise<Array<Record<string, unknown>>> {
  return (await database.pool.query(`SELECT ${columns} FROM "${database.schema}".${table} ORDER BY 1`)).rows;
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
    expect(receipt.pending).toBe('outbox');
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

  it('an invalid order is refused when placed, as in production: its transaction rolls back, no order row', async () => {
    const error = await orders.place(order('A-4', 'not-an-email')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect((error as MessagioValidationError).properties).toEqual(['customerEmail']);
    expect(harness.fired()).toEqual([]);
    expect(await rows('orders')).toEqual([]);
  });

  it('place() stores the order row, its stock taken, and OrderPlaced in the outbox in one transaction; OrderPlaced is delivered after the commit', async () => {
    const atCommit: Array<{ outbox: unknown[]; handled: number; activity: number }> = [];
    beforeCommit = async (client) => {
      atCommit.push({
        outbox: (await client.query('SELECT message_id, type FROM messagio_outbox')).rows,
        handled: harness.handled().length,
        activity: log.entries.length,
      });
    };
    const receipt = await orders.place(order('A-6'));
    // Just before COMMIT: OrderPlaced written in the transaction, nothing delivered.
    expect(atCommit).toEqual([{ outbox: [{ message_id: receipt.messageId, type: 'orders.order-placed' }], handled: 0, activity: 0 }]);
    expect(receipt.pending).toBe('outbox');
    expect(await rows('orders', 'id, customer_email, total_cents')).toEqual([{ id: 'A-6', customer_email: 'ada@example.com', total_cents: 6797 }]);
    expect(await rows('inventory', 'sku, available')).toEqual([
      { sku: 'CABLE-USB-C', available: 98 },
      { sku: 'KEYBOARD', available: 9 },
      { sku: 'MONITOR', available: 3 },
      { sku: 'MOUSE', available: 50 },
    ]);

    await harness.drain(); // the relay's rows, then the deliveries
    expect(harness.fired(OrderPlaced).map((f) => f.messageId)).toEqual([receipt.messageId]);
    expect(harness.handled(OrderPlaced).map((d) => `${d.listener}:${d.message.orderId}`)).toEqual(['email:A-6', 'stock:A-6', 'payment:A-6', 'audit:A-6']);
    expect(await rows('messagio_outbox')).toEqual([]); // relayed rows are deleted
  });

  it('an order out of stock rolls back after its fire: no order row, stock untouched, no outbox row, nothing delivered, ever', async () => {
    const error = await orders.place(new OrderPlaced('A-7', 'alan@example.com', [new OrderLine('KEYBOARD', 1, 4999), new OrderLine('MONITOR', 5, 18900)])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutOfStockError);
    expect(await rows('orders')).toEqual([]);
    expect((await rows('inventory', 'sku, available')).find((r) => r.sku === 'KEYBOARD')).toEqual({ sku: 'KEYBOARD', available: 10 });
    expect(await rows('messagio_outbox')).toEqual([]);
    expect(await harness.drain()).toMatchObject({ fired: 0, completed: 0, pending: 0 });
    expect(harness.handled()).toEqual([]);
    expect(log.entries).toEqual([]);
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
