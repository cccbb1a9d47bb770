import pg from 'pg';
import type { TestingModule } from '@nestjs/testing';
import { drizzle } from 'drizzle-orm/node-postgres';
import knexFactory from 'knex';
import { Kysely, PostgresDialect } from 'kysely';
import { DataSource } from 'typeorm';
import { MessagioPublisher, type MessagioReceipt } from '../../../lib/index.js';
import { fromDrizzle, fromKnex, fromKysely, fromMikroOrm, fromPg, fromPrisma, fromTypeOrm, OutboxRelay, type OutboxClient } from '../../../lib/outbox/index.js';
import { startPostgresServer, type PostgresServerHandle } from '../../../lib/testing/index.js';
import { Recorder } from '../fixtures/recorder.js';
import { OrderPlaced, outboxApp, sleep, uniqueTable } from './fixtures.js';

// Point 1 of issue 13, per client: the outbox row is written through the app's
// own client and transaction, so it commits and rolls back with the app's rows.

let postgres: PostgresServerHandle;
let pool: pg.Pool;

beforeAll(async () => {
  postgres = await startPostgresServer();
  pool = new pg.Pool({ connectionString: postgres.url, max: 10 });
  await pool.query('CREATE TABLE orders (id text PRIMARY KEY)');
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await postgres?.stop();
});

/** Runs `work(tx)` in a transaction of one client, inserting an order with it; throws `rollback` to roll back. */
interface Client {
  client: OutboxClient<any>;  
  transaction(work: (tx: unknown, insertOrder: (id: string) => Promise<unknown>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const ROLLBACK = new Error('roll back');

const clients: Record<string, () => Promise<Client>> = {
  typeorm: async () => {
    const source = await new DataSource({ type: 'postgres', url: postgres.url }).initialize();
    return {
      client: fromTypeOrm,
      transaction: (work) => source.transaction((manager) => work(manager, (id) => manager.query('INSERT INTO orders VALUES ($1)', [id]))),
      close: () => source.destroy(),
    };
  },
  drizzle: async () => {
    const own = new pg.Pool({ connectionString: postgres.url });
    const db = drizzle(own);
    const { sql } = await import('drizzle-orm');
    return {
      client: fromDrizzle,
      transaction: (work) => db.transaction((tx) => work(tx, (id) => tx.execute(sql`INSERT INTO orders VALUES (${id})`))),
      close: () => own.end(),
    };
  },
  kysely: async () => {
    const db = new Kysely<{ orders: { id: string } }>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: postgres.url }) }) });
    return {
      client: fromKysely,
      transaction: (work) => db.transaction().execute((trx) => work(trx, (id) => trx.insertInto('orders').values({ id }).execute())),
      close: () => db.destroy(),
    };
  },
  knex: async () => {
    const db = knexFactory({ client: 'pg', connection: postgres.url });
    return {
      client: fromKnex,
      transaction: (work) => db.transaction((trx) => work(trx, (id) => trx('orders').insert({ id }))),
      close: () => db.destroy(),
    };
  },
  // Prisma's client cannot be generated on this machine (`prisma generate` downloads its schema engine):
  // its interactive transaction's $queryRawUnsafe(sql, ...values) is emulated over a pg client in a transaction.
  'prisma ($queryRawUnsafe over pg)': async () => {
    const own = new pg.Pool({ connectionString: postgres.url });
    return {
      client: fromPrisma,
      transaction: async (work) => {
        const client = await own.connect();
        const tx = { $queryRawUnsafe: async (query: string, ...values: unknown[]) => (await client.query(query, values)).rows };
        try {
          await client.query('BEGIN');
          await work(tx, (id) => tx.$queryRawUnsafe('INSERT INTO orders VALUES ($1)', id));
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
      close: () => own.end(),
    };
  },
  mikroorm: async () => {
    const { MikroORM } = await import('@mikro-orm/postgresql');
    const orm = await MikroORM.init({ clientUrl: postgres.url, entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: true });
    return {
      client: fromMikroOrm,
      transaction: (work) =>
        orm.em.fork().transactional((em) => work(em, (id) => em.getConnection().execute('INSERT INTO orders VALUES (?)', [id], 'run', em.getTransactionContext()))),
      close: () => orm.close(true),
    };
  },
};

describe.each(Object.keys(clients))('transactional fire through %s', (name) => {
  let db: Client;
  let nest: TestingModule;

  beforeAll(async () => {
    db = await clients[name]!();
    nest = await outboxApp(pool, { table: uniqueTable(), client: db.client, relay: { pollMs: 50 } });
  }, 30_000);

  afterAll(async () => {
    await nest?.close();
    await db?.close();
  });

  it('commit: the order and its message are stored together; every listener gets it', async () => {
    let receipt: MessagioReceipt | undefined;
    // Quotes and backslashes: clients binding `?` get arrays as literals (sql-placeholders.ts).
    const id = `${name}-1 "q" \\ {b,c}`;
    await db.transaction(async (tx, insertOrder) => {
      await insertOrder(id);
      receipt = await nest.get(MessagioPublisher).fire(new OrderPlaced(id), { transaction: tx });
    });
    expect(receipt!.pending).toBe('outbox');
    expect((await receipt!.wait({ timeout: 15_000 })).ok).toBe(true);
    expect(nest.get(Recorder).calls.map((c) => [c.listener, (c.message as OrderPlaced).orderId]).sort()).toEqual([
      ['billing', id],
      ['shipping', id],
    ]);
  });

  it('rollback: neither the order nor its message, ever', async () => {
    const before = nest.get(Recorder).calls.length;
    await expect(
      db.transaction(async (tx, insertOrder) => {
        await insertOrder(`${name}-2`);
        await nest.get(MessagioPublisher).fireMany([new OrderPlaced(`${name}-2`), new OrderPlaced(`${name}-3`)], { transaction: tx });
        throw ROLLBACK;
      }),
    ).rejects.toBe(ROLLBACK);
    expect(await nest.get(OutboxRelay).drain()).toBe(0);
    await sleep(300);
    expect(nest.get(Recorder).calls).toHaveLength(before);
    expect((await pool.query('SELECT count(*) FROM orders WHERE id = $1', [`${name}-2`])).rows[0].count).toBe('0');
  });
});

it('an executor passed as transaction is used as is, whatever the configured client', async () => {
  const nest = await outboxApp(pool, { table: uniqueTable(), client: fromTypeOrm, relay: { pollMs: 50 } });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const receipt = await nest.get(MessagioPublisher).fire(new OrderPlaced('exec-1'), { transaction: fromPg(client) });
    await client.query('COMMIT');
    expect((await receipt.wait({ timeout: 15_000 })).ok).toBe(true);
  } finally {
    client.release();
    await nest.close();
  }
});
