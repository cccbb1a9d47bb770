import { outboxExecutor, rowsOf, type OutboxExecutor } from './outbox-executor.js';

/** What the Prisma adapter needs of an interactive transaction client. */
export interface PrismaTransactionLike {
  $queryRawUnsafe(query: string, ...values: unknown[]): Promise<unknown>;
}

/**
 * Prisma (PostgreSQL): the `tx` of `prisma.$transaction(async (tx) => …)`.
 * Parameters are bound (`$1`…), never spliced into the text.
 * @publicApi
 */
export function fromPrisma(tx: PrismaTransactionLike): OutboxExecutor {
  return outboxExecutor(async (sql, params) => rowsOf(await tx.$queryRawUnsafe(sql, ...params)));
}
