import type { CompiledQuery, Transaction } from 'kysely';
import { outboxExecutor, type OutboxExecutor } from './outbox-executor.js';

/**
 * Kysely (PostgreSQL dialect): the `trx` of `db.transaction().execute(async (trx) => …)`.
 * The statement is handed over compiled, as `CompiledQuery.raw()` makes one.
 * @publicApi
 */
export function fromKysely(trx: Pick<Transaction<unknown>, 'executeQuery'>): OutboxExecutor {
  return outboxExecutor(async (sql, params) => {
    const query = {
      sql,
      parameters: params,
      query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] },
      queryId: { queryId: 'messagio-outbox' },
    } as unknown as CompiledQuery<Record<string, unknown>>;
    return (await trx.executeQuery(query)).rows as Array<Record<string, unknown>>;
  });
}
