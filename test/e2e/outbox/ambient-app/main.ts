import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClsPluginTransactional, Transactional, TransactionHost, type TransactionalAdapter } from '@nestjs-cls/transactional';
import { TransactionalAdapterDrizzleOrm } from '@nestjs-cls/transactional-adapter-drizzle-orm';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IsString } from 'class-validator';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { ClsModule } from 'nestjs-cls';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Messagio, MessagioAdmin, MessagioModule, MessagioPublisher, MessagioType, OnMessagio, type MessagioReceipt } from '../../../../lib/index.js';
import { fromDrizzle, fromTypeOrm, MessagioOutboxModule, OutboxRelay, type OutboxClient } from '../../../../lib/outbox/index.js';
import { eventually, redisConnection, uniqueQueue } from '../../../support/redis.js';

// Run by test/e2e/outbox/outbox-ambient.e2e.spec.ts in plain Node (nestjs-cls and
// @nestjs-cls/transactional are CommonJS packages requiring NestJS 12's ESM build,
// which Jest's module system cannot load): inside a @Transactional() method,
// fire(msg) with no argument joins the ambient transaction (point 1 of issue 13),
// with the TypeORM and the Drizzle adapters, on a real PostgreSQL (POSTGRES_URL)
// and BullMQ on the test redis-server. Prints one JSON line the spec asserts on.

@MessagioType('ambient.order-placed')
class OrderPlaced extends Messagio {
  @IsString() order!: string;
  constructor(order: string) {
    super();
    this.order = order;
  }
}

const seen: string[] = [];

@Injectable()
class Shipping {
  @OnMessagio(OrderPlaced, { id: 'shipping' }) ship(msg: OrderPlaced) {
    seen.push(msg.order);
  }
}

const DB = Symbol('db');
const POSTGRES_URL = process.env.POSTGRES_URL!;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 6 });

interface Flavour {
  name: string;
  db: () => Promise<unknown>;
  close: (db: unknown) => Promise<void>;
  adapter: TransactionalAdapter<unknown, unknown, unknown>;
  client: OutboxClient<any>;  
  insert: (tx: unknown, id: string) => Promise<unknown>;
}

const flavours: Flavour[] = [
  {
    name: 'typeorm',
    db: () => new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize(),
    close: (db) => (db as DataSource).destroy(),
    adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: DB }) as never,
    client: fromTypeOrm,
    insert: (tx, id) => (tx as DataSource['manager']).query('INSERT INTO orders VALUES ($1)', [id]),
  },
  {
    name: 'drizzle',
    db: async () => drizzle(pool),
    close: async () => undefined,
    adapter: new TransactionalAdapterDrizzleOrm({ drizzleInstanceToken: DB }) as never,
    client: fromDrizzle,
    insert: (tx, id) => (tx as ReturnType<typeof drizzle>).execute(sql`INSERT INTO orders VALUES (${id})`),
  },
];

class Orders {
  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: MessagioPublisher,
    private readonly flavour: Flavour,
  ) {}

  /** Inserts the order and fires OrderPlaced with no transaction argument; throws after both when told to. */
  @Transactional()
  async place(id: string, fail = false): Promise<MessagioReceipt> {
    await this.flavour.insert(this.tx.tx, id);
    const receipt = await this.publisher.fire(new OrderPlaced(id));
    if (fail) throw new Error(`roll back ${id}`);
    return receipt;
  }

  /** `{ transaction: null }` inside a transaction: a direct fire, whatever happens to the transaction. */
  @Transactional()
  async placeDirect(id: string): Promise<MessagioReceipt> {
    await this.flavour.insert(this.tx.tx, id);
    const receipt = await this.publisher.fire(new OrderPlaced(id), { transaction: null });
    throw Object.assign(new Error('roll back'), { receipt });
  }
}

async function scenario(flavour: Flavour) {
  const db = await flavour.db();
  @Module({ providers: [{ provide: DB, useValue: db }], exports: [DB] })
  class DbModule {}
  const outbox: DynamicModule = MessagioOutboxModule.forRoot({ pool, table: `outbox_${flavour.name}`, client: flavour.client, relay: { pollMs: 50 } });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ClsModule.forRoot({ global: true, plugins: [new ClsPluginTransactional({ imports: [DbModule], adapter: flavour.adapter })] }),
      MessagioModule.forRoot({ connection: redisConnection(), queueName: uniqueQueue('ambient') }),
      outbox,
    ],
    providers: [
      Shipping,
      { provide: Orders, useFactory: (tx: TransactionHost, publisher: MessagioPublisher) => new Orders(tx, publisher, flavour), inject: [TransactionHost, MessagioPublisher] },
    ],
  }).compile();
  await moduleRef.init();
  seen.length = 0;
  try {
    const orders = moduleRef.get(Orders);
    const committed = await orders.place(`${flavour.name}-ok`);
    const outcome = await committed.wait({ timeout: 15_000 });

    const rolledBack = await orders.place(`${flavour.name}-ghost`, true).then(
      () => 'committed',
      (e: Error) => e.message,
    );
    await moduleRef.get(OutboxRelay).drain();

    const direct = await orders.placeDirect(`${flavour.name}-direct`).catch((e: { receipt: MessagioReceipt }) => e.receipt);
    await direct.wait({ timeout: 15_000 });

    const outside = await moduleRef.get(MessagioPublisher).fire(new OrderPlaced(`${flavour.name}-outside`));
    await outside.wait({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 500));
    await eventually(async () => (await moduleRef.get(MessagioAdmin).outbox.stats()).pending === 0, 5000, 'an empty outbox');

    const orderRows = (await pool.query('SELECT id FROM orders WHERE id LIKE $1 ORDER BY id', [`${flavour.name}-%`])).rows.map((r: { id: string }) => r.id);
    return {
      committed: { pending: committed.pending ?? null, ok: outcome.ok },
      rolledBack,
      direct: { pending: direct.pending ?? null },
      outside: { pending: outside.pending ?? null },
      seen: [...seen].sort(),
      orderRows,
    };
  } finally {
    await moduleRef.close();
    await flavour.close(db);
  }
}

async function main() {
  await pool.query('CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY)');
  const results: Record<string, unknown> = {};
  for (const flavour of flavours) results[flavour.name] = await scenario(flavour);
  await pool.end();
  console.log(`RESULT ${JSON.stringify(results)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
