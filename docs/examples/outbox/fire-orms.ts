import { drizzle } from 'drizzle-orm/node-postgres';
import type { Knex } from 'knex';
import type { Kysely } from 'kysely';
import { MessagioPublisher } from 'nestjs-messagio';
import { fromPg } from 'nestjs-messagio/outbox';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { OrderPlaced } from './messages.js';

declare const publisher: MessagioPublisher;

// #region typeorm
// MessagioOutboxModule.forRoot({ pool, client: fromTypeOrm })
export async function placeWithTypeOrm(dataSource: DataSource, orderId: string): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await manager.query('INSERT INTO orders (id) VALUES ($1)', [orderId]);
    await publisher.fire(new OrderPlaced(orderId), { transaction: manager });
  });
}
// #endregion

// #region drizzle
// MessagioOutboxModule.forRoot({ pool, client: fromDrizzle })
export async function placeWithDrizzle(db: ReturnType<typeof drizzle>, orderId: string): Promise<void> {
  await db.transaction(async (tx) => {
    // … your inserts through tx …
    await publisher.fire(new OrderPlaced(orderId), { transaction: tx });
  });
}
// #endregion

// #region kysely
// MessagioOutboxModule.forRoot({ pool, client: fromKysely })
export async function placeWithKysely(db: Kysely<{ orders: { id: string } }>, orderId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id: orderId }).execute();
    await publisher.fire(new OrderPlaced(orderId), { transaction: trx });
  });
}
// #endregion

// #region knex
// MessagioOutboxModule.forRoot({ pool, client: fromKnex })
export async function placeWithKnex(knex: Knex, orderId: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx('orders').insert({ id: orderId });
    await publisher.fire(new OrderPlaced(orderId), { transaction: trx });
  });
}
// #endregion

// #region executor
// Whatever the configured client: an executor is used as is.
export async function placeWithAnExecutor(client: pg.PoolClient, orderId: string): Promise<void> {
  await publisher.fire(new OrderPlaced(orderId), { transaction: fromPg(client) });
}
// #endregion
