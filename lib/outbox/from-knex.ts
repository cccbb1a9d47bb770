import type { Knex } from 'knex';
import { outboxExecutor, rowsOf, type OutboxExecutor } from './outbox-executor.js';
import { toQuestionMarks } from './sql-placeholders.js';

/**
 * Knex (`pg` client): the `trx` of `knex.transaction(async (trx) => …)`.
 * @publicApi
 */
export function fromKnex(trx: Pick<Knex.Transaction, 'raw'>): OutboxExecutor {
  return outboxExecutor(async (text, params) => {
    const { sql, bindings } = toQuestionMarks(text, params);
    // `??` would be read by Knex as an identifier binding: the outbox's SQL has none.
    return rowsOf(await trx.raw(sql, bindings as Knex.RawBinding[]));
  });
}
