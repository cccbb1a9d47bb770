import type { ClientBase } from 'pg';
import { outboxExecutor, type OutboxExecutor } from './outbox-executor.js';

/**
 * node-postgres: the client (from `pool.connect()`) the app ran `BEGIN` on.
 * The default `client` of the outbox: `fire(msg, { transaction: client })`.
 * @publicApi
 */
export function fromPg(client: Pick<ClientBase, 'query'>): OutboxExecutor {
  return outboxExecutor(async (sql, params) => (await client.query(sql, params as unknown[])).rows);
}
