import { outboxExecutor, rowsOf, type OutboxExecutor } from './outbox-executor.js';
import { splitPlaceholders } from './sql-placeholders.js';

/** What the Drizzle adapter needs of a transaction: `execute()` of node-postgres, postgres.js or PGlite drivers. */
export interface DrizzleTransactionLike {
  execute(query: never): Promise<unknown>;
}

type DrizzleSql = typeof import('drizzle-orm').sql;

let drizzleSql: Promise<DrizzleSql> | undefined;

/**
 * Drizzle (PostgreSQL): the `tx` of `db.transaction(async (tx) => …)`, or
 * `@nestjs-cls/transactional`'s Drizzle adapter. `drizzle-orm` is loaded on
 * first use (it stays optional for apps without it); parameters are bound as
 * parameters (`sql.param`), never spliced into the text.
 * @publicApi
 */
export function fromDrizzle(tx: DrizzleTransactionLike): OutboxExecutor {
  return outboxExecutor(async (text, params) => {
    const sql = await (drizzleSql ??= import('drizzle-orm').then((m) => m.sql));
    const { parts, order } = splitPlaceholders(text);
    const chunks = [sql.raw(parts[0]!)];
    order.forEach((index, i) => chunks.push(sql`${sql.param(params[index])}`, sql.raw(parts[i + 1]!)));
    return rowsOf(await tx.execute(sql.join(chunks) as never));
  });
}
