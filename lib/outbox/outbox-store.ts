import type { OutboxDeadRow, OutboxMessage, OutboxStats } from '../delivery/outbox-port.js';

/** A row the relay claimed: its deliveries as stored (checked by the relay before use). */
export interface ClaimedOutboxRow {
  /** bigint, as a string. */
  id: string;
  messageId: string;
  type: string;
  /** As read back: `Delivery[]` when the row is sound. */
  deliveries: unknown;
  /** Relay attempts so far (failed publishes). */
  attempts: number;
}

/** Where a delivery still waiting in the outbox stands. */
export interface OutboxPendingDelivery {
  deliveryId: string;
  attempts: number;
  /** Set when its row was dead-lettered. */
  deadReason?: string;
  lastError?: string;
}

/**
 * The outbox's storage, whatever the database: written through the app's
 * transaction (`insert`), read and cleared by the relay through the store's
 * own connection. `PostgresOutboxStore` is the one shipped, `MemoryOutboxStore`
 * the testing module's; a MySQL store implements the same (SKIP LOCKED exists there too).
 * @publicApi
 */
export interface OutboxStore {
  /** True when rows are relayed only on request (`relay.runOnce()`, `harness.drain()`): no relay runs in the background. */
  readonly manualRelay?: boolean;
  /** Writes one row per message, in the given order, inside `transaction` (the app's), and wakes relays at commit. */
  insert(transaction: unknown, messages: readonly OutboxMessage[]): Promise<void>;
  /**
   * Leases up to `limit` rows, oldest first, that no live lease holds and that
   * are not dead, for `leaseMs`: no other relay claims them before then.
   */
  claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedOutboxRow[]>;
  /** The rows were published: delete them (or mark them relayed, with retention). Only rows `owner` still leases. */
  complete(owner: string, rowIds: readonly string[]): Promise<void>;
  /** Hands rows back: claimable again after `delayMs`; `error` counts as a failed attempt when given. */
  release(owner: string, rowIds: readonly string[], delayMs: number, error?: string): Promise<void>;
  /** The row can never be relayed as it is: dead-letter it with its reason. */
  deadLetter(owner: string, rowId: string, reason: string): Promise<void>;
  /** Deliveries of these messages still in the outbox (waiting or dead). */
  pending(messageIds: readonly string[]): Promise<OutboxPendingDelivery[]>;
  dead(limit: number): Promise<OutboxDeadRow[]>;
  retry(rowIds: readonly string[]): Promise<string[]>;
  stats(): Promise<OutboxStats>;
  /**
   * Calls `wake` when a transaction that wrote rows commits (LISTEN/NOTIFY),
   * and `lost` if the listening connection fails (the relay then listens
   * again); resolves to a function that stops listening. Optional: relays then poll.
   */
  listen?(wake: () => void, lost: (error: Error) => void): Promise<() => Promise<void>>;
  /** Deletes relayed rows kept longer than `retentionMs` (retention on). */
  purgeRelayed?(retentionMs: number): Promise<number>;
}
