import { outboxExecutor, rowsOf, type OutboxExecutor } from './outbox-executor.js';
import { toQuestionMarks } from './sql-placeholders.js';

/** What the MikroORM adapter needs of a forked `EntityManager` (`@mikro-orm/postgresql`). */
export interface MikroOrmEntityManagerLike {
  getConnection(): { execute(sql: string, params: unknown[], method: 'all', ctx?: unknown): Promise<unknown> };
  getTransactionContext(): unknown;
}

/**
 * MikroORM (PostgreSQL driver): the `em` of `em.transactional(async (em) => …)`.
 * @publicApi
 */
export function fromMikroOrm(em: MikroOrmEntityManagerLike): OutboxExecutor {
  return outboxExecutor(async (text, params) => {
    const { sql, bindings } = toQuestionMarks(text, params);
    return rowsOf(await em.getConnection().execute(sql, bindings, 'all', em.getTransactionContext()));
  });
}
