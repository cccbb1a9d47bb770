/** Marks an object made by `outboxExecutor()` (and the `from*` adapters), so it can be passed as `{ transaction }` as is. */
const EXECUTOR = Symbol.for('nestjs-messagio.outbox-executor');

/**
 * The app's transaction, seen by the outbox: runs one SQL statement
 * (PostgreSQL `$1` placeholders) on that same transaction and resolves to its
 * rows. One adapter per client (`fromPg`, `fromTypeOrm`, `fromDrizzle`, …)
 * turns a client's transaction object into one.
 * @publicApi
 */
export interface OutboxExecutor {
  readonly [EXECUTOR]: true;
  query(sql: string, params: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
}

/**
 * How the outbox reads the `transaction` of a fire (or the ambient one) for
 * one client: `fromPg`, `fromTypeOrm`, `fromDrizzle`, `fromKnex`, `fromKysely`…
 * @publicApi
 */
export type OutboxClient<T = never> = (transaction: T) => OutboxExecutor;

/** An executor from a function that runs `sql` with `params` on the app's transaction. @publicApi */
export function outboxExecutor(query: (sql: string, params: readonly unknown[]) => Promise<Array<Record<string, unknown>>>): OutboxExecutor {
  return { [EXECUTOR]: true, query };
}

export function isOutboxExecutor(value: unknown): value is OutboxExecutor {
  return typeof value === 'object' && value !== null && (value as Partial<OutboxExecutor>)[EXECUTOR] === true;
}

/** The rows of a driver's result: an array already, or `{ rows }` (node-postgres). */
export function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result)) return result as Array<Record<string, unknown>>;
  const rows = (result as { rows?: unknown } | null | undefined)?.rows;
  return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
}
