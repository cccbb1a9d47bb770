import type { OutboxDeadRow, OutboxMessage, OutboxStats } from '../delivery/outbox-port.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { ClaimedOutboxRow, OutboxPendingDelivery, OutboxStore } from './outbox-store.js';

interface MemoryRow {
  id: number;
  messageId: string;
  type: string;
  /** JSON, as a database column would hold it: each claim reads a fresh copy. */
  deliveries: string;
  createdAt: number;
  attempts: number;
  lastError?: string;
  leaseOwner?: string;
  leaseUntil?: number;
  deadAt?: number;
  deadReason?: string;
}

/**
 * A transaction of `MemoryOutboxStore`: what is fired with it is kept aside
 * until `commit()`, and dropped by `rollback()`, as a database would.
 * @publicApi
 */
export class MemoryOutboxTransaction {
  private state: 'open' | 'committed' | 'rolled back' = 'open';
  private readonly written: OutboxMessage[] = [];

  constructor(private readonly store: MemoryOutboxStore) {}

  /** `open`, `committed` or `rolled back`. */
  get status(): 'open' | 'committed' | 'rolled back' {
    return this.state;
  }

  /** Makes what was fired with this transaction visible to the relay, in fire order. */
  commit(): void {
    this.end('committed');
    this.store.append(this.written);
  }

  /** Drops what was fired with this transaction: it is never relayed. */
  rollback(): void {
    this.end('rolled back');
    this.written.length = 0;
  }

  /** @internal The store's write. */
  add(messages: readonly OutboxMessage[]): void {
    if (this.state !== 'open') {
      throw new MessagioConfigurationError(`fire() was given a transaction that is already ${this.state}: fire inside an open one.`);
    }
    this.written.push(...messages);
  }

  private end(to: 'committed' | 'rolled back'): void {
    if (this.state !== 'open') throw new MessagioConfigurationError(`This outbox transaction is already ${this.state}.`);
    this.state = to;
  }
}

/**
 * The outbox without a database, for tests (the testing module's): the same
 * semantics as `PostgresOutboxStore` — rows written in a
 * `MemoryOutboxTransaction` appear at its commit and never after a rollback,
 * leases, dead letters, retries — kept in this process. Its rows are relayed
 * only when asked (`harness.drain()`, `relay.runOnce()`), never in the background.
 * @publicApi
 */
export class MemoryOutboxStore implements OutboxStore {
  readonly manualRelay = true;
  private readonly rows = new Map<number, MemoryRow>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  /** A new transaction to fire in: `fire(msg, { transaction })`, then `commit()` or `rollback()`. */
  begin(): MemoryOutboxTransaction {
    return new MemoryOutboxTransaction(this);
  }

  /** Runs `fn` in a new transaction: commits when it resolves, rolls back when it throws. */
  async transaction<T>(fn: (transaction: MemoryOutboxTransaction) => Promise<T> | T): Promise<T> {
    const transaction = this.begin();
    let result: T;
    try {
      result = await fn(transaction);
    } catch (error) {
      if (transaction.status === 'open') transaction.rollback();
      throw error;
    }
    if (transaction.status === 'open') transaction.commit();
    return result;
  }

  async insert(transaction: unknown, messages: readonly OutboxMessage[]): Promise<void> {
    if (!(transaction instanceof MemoryOutboxTransaction)) {
      throw new MessagioConfigurationError(
        `The in-memory outbox takes transactions it made (store.begin(), store.transaction(fn), harness.transaction(fn)), got ${describe(transaction)}.`,
      );
    }
    transaction.add(messages.map((m) => ({ ...m, deliveries: JSON.parse(JSON.stringify(m.deliveries)) })));
  }

  /** @internal A committed transaction's messages. */
  append(messages: readonly OutboxMessage[]): void {
    for (const m of messages) {
      const id = this.nextId++;
      this.rows.set(id, { id, messageId: m.messageId, type: m.type, deliveries: JSON.stringify(m.deliveries), createdAt: this.now(), attempts: 0 });
    }
  }

  /** Writes a row as is, committed (to test a malformed one). */
  insertRaw(row: { messageId: string; type: string; deliveries: unknown }): string {
    const id = this.nextId++;
    this.rows.set(id, { id, messageId: row.messageId, type: row.type, deliveries: JSON.stringify(row.deliveries), createdAt: this.now(), attempts: 0 });
    return String(id);
  }

  async claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedOutboxRow[]> {
    const now = this.now();
    const claimed: ClaimedOutboxRow[] = [];
    for (const row of this.rows.values()) {
      if (claimed.length >= limit) break;
      if (row.deadAt !== undefined || (row.leaseUntil !== undefined && row.leaseUntil >= now)) continue;
      row.leaseOwner = owner;
      row.leaseUntil = now + leaseMs;
      claimed.push({ id: String(row.id), messageId: row.messageId, type: row.type, deliveries: JSON.parse(row.deliveries), attempts: row.attempts });
    }
    return claimed;
  }

  async complete(owner: string, rowIds: readonly string[]): Promise<void> {
    for (const row of this.owned(owner, rowIds)) this.rows.delete(row.id);
  }

  async release(owner: string, rowIds: readonly string[], delayMs: number, error?: string): Promise<void> {
    for (const row of this.owned(owner, rowIds)) {
      row.leaseOwner = undefined;
      row.leaseUntil = this.now() + delayMs;
      if (error !== undefined) {
        row.attempts++;
        row.lastError = error;
      }
    }
  }

  async deadLetter(owner: string, rowId: string, reason: string): Promise<void> {
    for (const row of this.owned(owner, [rowId])) {
      row.deadAt = this.now();
      row.deadReason = reason;
      row.leaseOwner = row.leaseUntil = undefined;
    }
  }

  async pending(messageIds: readonly string[]): Promise<OutboxPendingDelivery[]> {
    const wanted = new Set(messageIds);
    const found: OutboxPendingDelivery[] = [];
    for (const row of this.rows.values()) {
      if (!wanted.has(row.messageId)) continue;
      const list: unknown = JSON.parse(row.deliveries);
      if (!Array.isArray(list)) continue;
      for (const d of list as Array<{ id?: unknown }>) {
        if (typeof d?.id !== 'string') continue;
        found.push({
          deliveryId: d.id,
          attempts: row.attempts,
          ...(row.deadReason !== undefined ? { deadReason: row.deadReason } : {}),
          ...(row.lastError !== undefined ? { lastError: row.lastError } : {}),
        });
      }
    }
    return found;
  }

  async dead(limit: number): Promise<OutboxDeadRow[]> {
    return [...this.rows.values()]
      .filter((r) => r.deadAt !== undefined)
      .slice(0, limit)
      .map((r) => ({
        id: String(r.id),
        messageId: r.messageId,
        type: r.type,
        reason: r.deadReason!,
        attempts: r.attempts,
        createdAt: new Date(r.createdAt),
        deadAt: new Date(r.deadAt!),
      }));
  }

  async retry(rowIds: readonly string[]): Promise<string[]> {
    const revived: string[] = [];
    for (const id of rowIds) {
      const row = this.rows.get(Number(id));
      if (row?.deadAt === undefined) continue;
      row.deadAt = row.deadReason = row.lastError = row.leaseOwner = row.leaseUntil = undefined;
      row.attempts = 0;
      revived.push(String(row.id));
    }
    return revived;
  }

  async stats(): Promise<OutboxStats> {
    let pending = 0;
    let dead = 0;
    let oldest: number | undefined;
    for (const row of this.rows.values()) {
      if (row.deadAt !== undefined) dead++;
      else {
        pending++;
        oldest ??= row.createdAt;
      }
    }
    return { pending, dead, oldestPendingMs: oldest === undefined ? null : Math.max(0, this.now() - oldest) };
  }

  private *owned(owner: string, rowIds: readonly string[]): Iterable<MemoryRow> {
    for (const id of rowIds) {
      const row = this.rows.get(Number(id));
      if (row?.leaseOwner === owner) yield row;
    }
  }
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `a ${(value as object).constructor?.name ?? 'plain object'}`;
}
