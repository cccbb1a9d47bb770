import type { Delivery } from '../contract/delivery.types.js';
import type { DeliveryState } from '../message/delivery-state.js';
import type { FireOptions } from '../message/fire-options.js';

/**
 * What the publisher and the admin ask of a transactional outbox
 * (`nestjs-messagio/outbox` provides one): the publisher stays the one place
 * that fires; with a transaction given or ambient, it hands the prepared
 * deliveries here instead of to the transport. Defined in this room so the
 * pipeline never loads the outbox entry (nor `pg`).
 */
export interface OutboxPort {
  /**
   * The transaction a fire writes in: `options.transaction` when given
   * (`null` forces a direct fire), else the ambient one
   * (`@nestjs-cls/transactional`), else `undefined` (direct to the transport).
   */
  transactionOf(options: FireOptions): unknown;
  /** Writes one row per message (its deliveries, in fire order) through the app's transaction. */
  write(transaction: unknown, messages: ReadonlyArray<OutboxMessage>): Promise<void>;
  /** States of the given deliveries still in the outbox (`outbox`, or `dead`); the others are left out. */
  inspect(deliveryIds: string[]): Promise<DeliveryState[]>;
  /** Dead-lettered rows, oldest first. */
  dead(limit?: number): Promise<OutboxDeadRow[]>;
  /** Puts dead rows back in line for the relay (fresh attempts); returns the row ids taken. */
  retry(rowIds: readonly string[]): Promise<string[]>;
  /** Rows waiting, dead rows, and the age of the oldest waiting one (the relay's lag). */
  stats(): Promise<OutboxStats>;
}

/** A dead-lettered outbox row, as `MessagioAdmin.outbox.dead()` lists it. @publicApi */
export interface OutboxDeadRow {
  /** The row's id (a bigint, as a string): what `retry()` takes. */
  id: string;
  messageId: string;
  type: string;
  /** Why it can never be relayed as it is. */
  reason: string;
  attempts: number;
  createdAt: Date;
  deadAt: Date;
}

/** `MessagioAdmin.outbox.stats()`. @publicApi */
export interface OutboxStats {
  /** Rows waiting for the relay (leased or not). */
  pending: number;
  dead: number;
  /** Milliseconds since the oldest waiting row was written; `null` when none waits. */
  oldestPendingMs: number | null;
}

/** One fired message as the outbox stores it. */
export interface OutboxMessage {
  messageId: string;
  type: string;
  /** Its deliveries, in registry order. */
  deliveries: Delivery[];
}
