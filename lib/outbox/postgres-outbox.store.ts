import type { Pool, PoolClient } from 'pg';
import type { OutboxDeadRow, OutboxMessage, OutboxStats } from '../delivery/outbox-port.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { OutboxSqlNames } from './migrations/outbox-migrations.js';
import { isOutboxExecutor, type OutboxClient, type OutboxExecutor } from './outbox-executor.js';
import type { ClaimedOutboxRow, OutboxPendingDelivery, OutboxStore } from './outbox-store.js';

/** Settings of `PostgresOutboxStore`. */
export interface PostgresOutboxStoreSettings {
  names: OutboxSqlNames;
  /** Reads a fire's `transaction`: the app's client (`fromPg` by default). */
  client: OutboxClient<never>;
  /** `NOTIFY` channel relays `LISTEN` on. */
  channel: string;
  /** Milliseconds relayed rows are kept (`relayed_at`); 0 deletes them at once. */
  retentionMs: number;
}

/**
 * The outbox in PostgreSQL. Writes go through the app's transaction (an
 * executor); the relay's reads, leases and deletes go through the store's own
 * pool. Every statement is one round trip.
 */
export class PostgresOutboxStore implements OutboxStore {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly pool: Pick<Pool, 'query' | 'connect'>,
    private readonly settings: PostgresOutboxStoreSettings,
  ) {
    this.sql = statements(settings.names.table);
  }

  async insert(transaction: unknown, messages: readonly OutboxMessage[]): Promise<void> {
    const executor = this.executorOf(transaction);
    const ids: string[] = [];
    const types: string[] = [];
    const rows: string[] = [];
    for (const m of messages) {
      ids.push(m.messageId);
      types.push(m.type);
      rows.push(JSON.stringify(m.deliveries));
    }
    await executor.query(this.sql.insert, [ids, types, rows, this.settings.channel]);
  }

  async claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedOutboxRow[]> {
    const { rows } = await this.pool.query(this.sql.claim, [owner, leaseMs, limit]);
    return (rows as Array<{ id: string; message_id: string; type: string; deliveries: unknown; attempts: number }>)
      .map((r) => ({ id: r.id, messageId: r.message_id, type: r.type, deliveries: r.deliveries, attempts: r.attempts }))
      .sort(byRowId);
  }

  async complete(owner: string, rowIds: readonly string[]): Promise<void> {
    if (rowIds.length === 0) return;
    await this.pool.query(this.settings.retentionMs > 0 ? this.sql.markRelayed : this.sql.delete, [rowIds, owner]);
  }

  async release(owner: string, rowIds: readonly string[], delayMs: number, error?: string): Promise<void> {
    if (rowIds.length === 0) return;
    await this.pool.query(this.sql.release, [rowIds, owner, delayMs, error ?? null]);
  }

  async deadLetter(owner: string, rowId: string, reason: string): Promise<void> {
    await this.pool.query(this.sql.deadLetter, [rowId, owner, reason]);
  }

  async pending(messageIds: readonly string[]): Promise<OutboxPendingDelivery[]> {
    const { rows } = await this.pool.query(this.sql.pending, [messageIds]);
    return (rows as Array<{ ids: string[] | null; attempts: number; dead_reason: string | null; last_error: string | null }>).flatMap((r) =>
      (r.ids ?? []).map((deliveryId) => ({
        deliveryId,
        attempts: r.attempts,
        ...(r.dead_reason !== null ? { deadReason: r.dead_reason } : {}),
        ...(r.last_error !== null ? { lastError: r.last_error } : {}),
      })),
    );
  }

  async dead(limit: number): Promise<OutboxDeadRow[]> {
    const { rows } = await this.pool.query(this.sql.dead, [limit]);
    return (rows as Array<Record<string, never>>).map((r) => ({
      id: r.id,
      messageId: r.message_id,
      type: r.type,
      reason: r.dead_reason,
      attempts: r.attempts,
      createdAt: r.created_at,
      deadAt: r.dead_at,
    }));
  }

  async retry(rowIds: readonly string[]): Promise<string[]> {
    if (rowIds.length === 0) return [];
    const { rows } = await this.pool.query(this.sql.retry, [rowIds, this.settings.channel]);
    return (rows as Array<{ id: string | null }>).flatMap((r) => (r.id === null ? [] : [r.id])).sort((a, b) => byRowId({ id: a }, { id: b }));
  }

  async stats(): Promise<OutboxStats> {
    const { rows } = await this.pool.query(this.sql.stats);
    const r = rows[0] as { pending: string; dead: string; oldest_ms: string | null };
    return { pending: Number(r.pending), dead: Number(r.dead), oldestPendingMs: r.oldest_ms === null ? null : Math.max(0, Math.round(Number(r.oldest_ms))) };
  }

  async purgeRelayed(retentionMs: number): Promise<number> {
    const { rowCount } = await this.pool.query(this.sql.purge, [retentionMs]);
    return rowCount ?? 0;
  }

  /** LISTEN on a connection of its own; `lost` when that connection fails. */
  async listen(wake: () => void, lost: (error: Error) => void): Promise<() => Promise<void>> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    const onNotification = () => wake();
    // A checked-out client's connection error is ours to handle (else it is thrown); the client is then discarded.
    const onError = (error: Error) => {
      if (broken) return;
      broken = error;
      lost(error);
    };
    const onEnd = () => onError(new Error('the LISTEN connection ended'));
    client.on('notification', onNotification);
    client.on('error', onError);
    client.on('end', onEnd);
    try {
      await client.query(`LISTEN "${this.settings.channel}"`);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return async () => {
      client.off('notification', onNotification);
      client.off('end', onEnd);
      if (!broken) await client.query(`UNLISTEN "${this.settings.channel}"`).catch((error: Error) => (broken = error));
      client.release(broken ?? undefined);
      // Errors after release are the pool's; keep a no-op so a late one is never unhandled.
      client.off('error', onError);
      client.on('error', () => undefined);
    };
  }

  private executorOf(transaction: unknown): OutboxExecutor {
    if (isOutboxExecutor(transaction)) return transaction;
    // Objects, and functions (a Knex transaction is one).
    if (transaction === null || (typeof transaction !== 'object' && typeof transaction !== 'function')) {
      throw new MessagioConfigurationError(
        `fire() option transaction must be the app's transaction object (a pg client after BEGIN, an EntityManager, a Drizzle tx…) or an executor from fromPg()/fromTypeOrm()/…, got ${String(transaction)}.`,
      );
    }
    return this.settings.client(transaction as never);
  }
}

function byRowId(a: { id: string }, b: { id: string }): number {
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Every statement, built once per store. */
function statements(t: string) {
  const waiting = 'dead_at IS NULL AND relayed_at IS NULL';
  return {
    // Rows in fire order (ordinality); pg_notify is delivered at commit, never after a rollback.
    insert: `WITH written AS (
  INSERT INTO ${t} (message_id, type, deliveries)
  SELECT m, ty, d::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(m, ty, d, n) ORDER BY n
  RETURNING 1
) SELECT pg_notify($4, '') FROM (SELECT count(*) FROM written) AS c`,
    // One instant for the whole claim (statement_timestamp, not the per-row clock_timestamp): rows
    // claimed together share one lease, so a take-over after it runs out takes them together, in
    // id order; a per-row clock let a scan take k-0, k-2, k-4 before k-1, k-3.
    claim: `UPDATE ${t} SET lease_owner = $1, lease_until = statement_timestamp() + make_interval(secs => $2::double precision / 1000)
WHERE id IN (
  SELECT id FROM ${t} WHERE ${waiting} AND (lease_until IS NULL OR lease_until < statement_timestamp())
  ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
) RETURNING id::text AS id, message_id, type, deliveries, attempts`,
    delete: `DELETE FROM ${t} WHERE id = ANY($1::bigint[]) AND lease_owner = $2`,
    markRelayed: `UPDATE ${t} SET relayed_at = now(), lease_owner = NULL, lease_until = NULL WHERE id = ANY($1::bigint[]) AND lease_owner = $2`,
    release: `UPDATE ${t} SET lease_owner = NULL,
  lease_until = statement_timestamp() + make_interval(secs => $3::double precision / 1000),
  attempts = attempts + CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END,
  last_error = COALESCE($4::text, last_error)
WHERE id = ANY($1::bigint[]) AND lease_owner = $2`,
    deadLetter: `UPDATE ${t} SET dead_at = now(), dead_reason = $3, lease_owner = NULL, lease_until = NULL WHERE id = $1::bigint AND lease_owner = $2`,
    pending: `SELECT CASE WHEN jsonb_typeof(deliveries) = 'array'
    THEN ARRAY(SELECT e->>'id' FROM jsonb_array_elements(deliveries) AS e WHERE jsonb_typeof(e) = 'object') END AS ids,
  attempts, dead_reason, last_error
FROM ${t} WHERE message_id = ANY($1::text[]) AND relayed_at IS NULL ORDER BY id`,
    dead: `SELECT id::text AS id, message_id, type, dead_reason, attempts, created_at, dead_at FROM ${t} WHERE dead_at IS NOT NULL ORDER BY id LIMIT $1`,
    retry: `WITH revived AS (
  UPDATE ${t} SET dead_at = NULL, dead_reason = NULL, attempts = 0, last_error = NULL, lease_owner = NULL, lease_until = NULL
  WHERE id = ANY($1::bigint[]) AND dead_at IS NOT NULL RETURNING id::text AS id
) SELECT id FROM revived UNION ALL SELECT NULL FROM (SELECT pg_notify($2, '')) AS n`,
    stats: `SELECT count(*) FILTER (WHERE ${waiting}) AS pending, count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead,
  extract(epoch FROM now() - min(created_at) FILTER (WHERE ${waiting})) * 1000 AS oldest_ms FROM ${t}`,
    purge: `DELETE FROM ${t} WHERE relayed_at IS NOT NULL AND relayed_at < now() - make_interval(secs => $1::double precision / 1000)`,
  };
}
