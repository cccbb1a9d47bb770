import type { Pool, PoolClient } from 'pg';
import type { OutboxSqlNames } from './migrations/outbox-migrations.js';
import { inboxTable } from './inbox-table.js';
import type { InboxStore } from './messagio-inbox.js';
import type { OutboxClient } from './outbox-executor.js';

/** What the inbox uses of `@nestjs-cls/transactional`'s `TransactionHost`. */
export interface InboxTransactionHost {
  readonly tx: unknown;
  withTransaction<R>(propagation: string, fn: () => Promise<R>): Promise<R>;
}

/**
 * The inbox in PostgreSQL: per attempt, one transaction that inserts the
 * delivery's id (`ON CONFLICT DO NOTHING`), then runs the listener in it.
 * No row inserted: a transaction that recorded it committed (or is still
 * open elsewhere: the insert waits for it on the primary key), so the
 * listener is not run. With the ambient host (`@nestjs-cls/transactional`),
 * the transaction is the host's, so the listener's `txHost.tx` writes share
 * it; without, a client of the outbox's pool after `BEGIN`.
 */
export class PostgresInbox implements InboxStore {
  /** Set at module init when the app has `@nestjs-cls/transactional` (and `ambient` is not off). */
  host: InboxTransactionHost | undefined;
  private readonly insertSql: string;
  private readonly sweepSql: string;

  constructor(
    private readonly pool: Pick<Pool, 'query' | 'connect'>,
    names: OutboxSqlNames,
    private readonly client: OutboxClient<never>,
  ) {
    const table = inboxTable(names);
    this.insertSql = `INSERT INTO ${table} (delivery_id, listener) VALUES ($1, $2) ON CONFLICT (delivery_id) DO NOTHING RETURNING 1`;
    this.sweepSql = `DELETE FROM ${table} WHERE processed_at < now() - make_interval(secs => $1::double precision / 1000)`;
  }

  run(deliveryId: string, listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean> {
    return this.host === undefined ? this.onPool(deliveryId, listenerId, fn) : this.onHost(this.host, deliveryId, listenerId, fn);
  }

  async sweep(retentionMs: number): Promise<number> {
    const { rowCount } = await this.pool.query(this.sweepSql, [retentionMs]);
    return rowCount ?? 0;
  }

  /** A new transaction of the host (never the caller's: the inbox row commits with this attempt alone); the adapter commits or rolls back. */
  private onHost(host: InboxTransactionHost, deliveryId: string, listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean> {
    return host.withTransaction('REQUIRES_NEW', async () => {
      const tx = host.tx;
      const rows = await this.client(tx as never).query(this.insertSql, [deliveryId, listenerId]);
      if (rows.length === 0) return false;
      await fn(tx);
      return true;
    });
  }

  private async onPool(deliveryId: string, listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client's connection error (a restarted server, a terminated backend) is ours
    // to handle: unhandled, it is thrown and ends the process. The attempt then fails on its next
    // statement, and the client is discarded.
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query(this.insertSql, [deliveryId, listenerId]);
      if (rowCount === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await fn(client);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      // A connection that cannot roll back is discarded, not handed to the next attempt.
      await client.query('ROLLBACK').catch((failed: Error) => (broken ??= failed));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
