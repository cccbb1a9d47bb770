import type { EntityManager } from 'typeorm';
import { outboxExecutor, rowsOf, type OutboxExecutor } from './outbox-executor.js';

/**
 * TypeORM (PostgreSQL driver): the `EntityManager` of a transaction
 * (`dataSource.transaction(async (manager) => …)`, or `@nestjs-cls/transactional`'s
 * TypeORM adapter). `manager.query()` runs on its query runner, inside the transaction.
 * @publicApi
 */
export function fromTypeOrm(manager: Pick<EntityManager, 'query'>): OutboxExecutor {
  return outboxExecutor(async (sql, params) => rowsOf(await manager.query(sql, params as unknown[])));
}
