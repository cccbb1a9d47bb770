import { EventEmitter } from 'node:events';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';

/** What node-postgres' `query()` resolves to, as far as the sample and the outbox read it. */
export interface PgliteQueryResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number;
}

/**
 * The part of a `pg.Pool` the sample and the outbox use (`query`, `connect`),
 * on an in-process PGlite. PGlite is one PostgreSQL session, so:
 * - a client's `BEGIN … COMMIT | ROLLBACK` runs as one `db.transaction()`,
 *   which holds PGlite's lock meanwhile: other clients' statements (the relay's)
 *   wait for the commit instead of running inside someone else's transaction;
 * - `LISTEN "channel"` is `db.listen()`, whose notifications the client emits
 *   as `'notification'` events, as node-postgres does.
 * `@electric-sql/pglite-socket` plus a real `pg.Pool` was measured first and
 * does not work here: concurrent connections interleave their extended-protocol
 * messages (`portal "" does not exist`) and a NOTIFY reaches the connection that
 * committed, not the one that listens.
 */
export class PglitePool {
  constructor(private readonly db: PGlite) {}

  query(sql: string, params?: readonly unknown[]): Promise<PgliteQueryResult> {
    return run(this.db, sql, params);
  }

  async connect(): Promise<PgliteClient> {
    return new PgliteClient(this.db);
  }

  /** Nothing to close: the PGlite instance is its owner's. */
  async end(): Promise<void> {}
}

/** One "connection": a transaction of its own between BEGIN and COMMIT, or LISTEN. */
export class PgliteClient extends EventEmitter {
  private tx: Transaction | undefined;
  private finish: ((action: 'COMMIT' | 'ROLLBACK') => void) | undefined;
  private done: Promise<void> | undefined;
  private readonly unlisteners = new Map<string, () => Promise<void>>();

  constructor(private readonly db: PGlite) {
    super();
  }

  async query(sql: string, params?: readonly unknown[]): Promise<PgliteQueryResult> {
    const command = sql.trim().replace(/;$/, '').toUpperCase();
    if (command === 'BEGIN') return this.begin();
    if (command === 'COMMIT' || command === 'ROLLBACK') return this.end(command);
    const listen = /^(UN)?LISTEN\s+"?([^"]+)"?$/i.exec(sql.trim());
    if (listen) {
      await (listen[1] ? this.unlisten(listen[2]!) : this.listen(listen[2]!));
      return { rows: [], rowCount: 0 };
    }
    return run(this.tx ?? this.db, sql, params);
  }

  /** Back to the pool: a transaction left open is rolled back (node-postgres would keep it on the connection). */
  release(): void {
    if (this.tx) void this.end('ROLLBACK').catch(() => undefined);
    for (const channel of [...this.unlisteners.keys()]) void this.unlisten(channel).catch(() => undefined);
  }

  private async begin(): Promise<PgliteQueryResult> {
    if (this.tx) throw new Error('PgliteClient: BEGIN inside a transaction');
    await new Promise<void>((started, failed) => {
      this.done = this.db.transaction(async (tx) => {
        this.tx = tx;
        started();
        const action = await new Promise<'COMMIT' | 'ROLLBACK'>((resolve) => (this.finish = resolve));
        if (action === 'ROLLBACK') await tx.rollback();
      });
      this.done.catch(failed);
    });
    return { rows: [], rowCount: 0 };
  }

  private async end(action: 'COMMIT' | 'ROLLBACK'): Promise<PgliteQueryResult> {
    const finish = this.finish;
    const done = this.done;
    this.tx = undefined;
    this.finish = undefined;
    this.done = undefined;
    if (!finish || !done) return { rows: [], rowCount: 0 }; // as PostgreSQL: a warning, not an error
    finish(action);
    await done; // COMMIT's own error (a deferred constraint, an aborted transaction) surfaces here
    return { rows: [], rowCount: 0 };
  }

  private async listen(channel: string): Promise<void> {
    if (this.unlisteners.has(channel)) return;
    const unlisten = await this.db.listen(channel, (payload) => this.emit('notification', { channel, payload, processId: 0 }));
    this.unlisteners.set(channel, () => unlisten());
  }

  private async unlisten(channel: string): Promise<void> {
    const unlisten = this.unlisteners.get(channel);
    this.unlisteners.delete(channel);
    await unlisten?.();
  }
}

/**
 * One statement with parameters (PGlite's extended protocol), or, with none,
 * a script (the outbox's migrations hold several statements, as node-postgres'
 * simple protocol allows).
 */
async function run(target: PGlite | Transaction, sql: string, params?: readonly unknown[]): Promise<PgliteQueryResult> {
  if (params && params.length > 0) return resultOf(await target.query<Record<string, unknown>>(sql, [...params]));
  const results = await target.exec(sql);
  return resultOf(results[results.length - 1] as Results<Record<string, unknown>> | undefined);
}

function resultOf(result: Results<Record<string, unknown>> | undefined): PgliteQueryResult {
  return { rows: result?.rows ?? [], rowCount: result?.affectedRows ?? result?.rows.length ?? 0 };
}
