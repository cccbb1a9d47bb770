import type { MessagioHeaders } from './message-headers.js';

/**
 * Options of `publisher.fire()` / `message.fire()`.
 * @publicApi
 */
export interface FireOptions {
  /**
   * Run the listeners in this process, in priority order, and wait for all of
   * them; rejects with `MessagioDispatchError` if any failed for good
   * (`fireMany`: `MessagioBatchDispatchError`, once every message ran).
   * @default false
   */
  sync?: boolean;
  /** Milliseconds to wait before the deliveries become runnable (queued mode only). */
  delay?: number;
  /**
   * Idempotency key. Firing the same `messageId` again while its deliveries are
   * still kept in the queue enqueues nothing new. 1 to 128 printable ASCII
   * characters without spaces, ':' or '|'.
   * @default a random UUID
   */
  messageId?: string;
  /**
   * Correlates everything this message causes. Same rules as `messageId` (it
   * often comes from a request header: it is checked before it reaches a log).
   * @default the handled message's traceId inside a listener, else a new UUID
   */
  traceId?: string;
  /**
   * Context that travels with the message, read by listeners as
   * `context.headers` and inherited by what they fire (these win over the
   * inherited and captured ones). At most 32 headers, each named by 1 to 64
   * letters, digits, '.', '_' or '-', each value a string of at most 1024
   * characters without control characters.
   * @default the handled message's headers inside a listener, with `propagate.capture()`'s
   */
  headers?: MessagioHeaders;
  /**
   * With the transactional outbox (`nestjs-messagio/outbox`): the app's
   * transaction to write the message in (a `pg` client after `BEGIN`, a
   * TypeORM `EntityManager`, a Drizzle `tx`, … as the outbox's `client`
   * reads it, or an executor made by `fromPg()`/`fromTypeOrm()`/…). Its
   * deliveries are relayed to the transport once it commits, and never if it
   * rolls back. `null` fires directly even inside an ambient transaction.
   * @default the ambient `@nestjs-cls/transactional` transaction, if any
   */
  transaction?: unknown;
  /**
   * Deduplication by key, one decision for the whole message (all its
   * listeners): see `MessagioDedupeOptions`. Queued fires only (not `sync`,
   * not `fireMany`).
   */
  dedupe?: MessagioDedupeOptions;
  /**
   * The delivery that causes this message, usually the `MessagioContext` a
   * listener was given: the message takes its traceId and headers, and its
   * messageId as `causationId`, as it would inside the listener's async context
   * (explicit `traceId` and `headers` still win). What links a message to its
   * cause when the app runs with `asyncContext: false`, or from work the
   * listener handed elsewhere.
   * @default the delivery handled in this async context, if any
   */
  causedBy?: MessagioCause;
}

/**
 * What `causedBy` reads of the delivery that causes a message: a
 * `MessagioContext` has it all.
 * @publicApi
 */
export interface MessagioCause {
  readonly messageId: string;
  readonly traceId: string;
  readonly headers?: MessagioHeaders;
}

/**
 * How a fire is deduplicated (docs/firing.md#deduplication). The key is
 * scoped to the message type. While a message holds the key, a fire with the
 * same key stores nothing: its receipt says `deduplicated` and which message
 * it was `mergedInto`, and its `wait()` waits for that message.
 * @publicApi
 */
export interface MessagioDedupeOptions {
  /** Same rules as `messageId` (1 to 128 printable ASCII characters, no spaces, ':' or '|'). */
  key: string;
  /** Milliseconds: how long a message holds the key (throttle) or how long it waits for quiet (debounce). */
  ttl?: number;
  /**
   * - `simple` (the default without `ttl`): dropped while the holding message
   *   is pending, until every one of its deliveries has finished;
   * - `throttle` (the default with `ttl`): dropped for `ttl` ms after the
   *   holding message was fired, whatever its deliveries do;
   * - `debounce` (needs `ttl`): merged into the holding message, which runs
   *   `ttl` ms after the last fire, with the last fire's payload.
   */
  mode?: 'simple' | 'throttle' | 'debounce';
}

/**
 * Options of `publisher.fireMany()`: those of `fire()` shared by every
 * message, and one idempotency key per message instead of `messageId`.
 * @publicApi
 */
export interface FireManyOptions extends Omit<FireOptions, 'messageId' | 'dedupe'> {
  /**
   * Idempotency keys, one per message, in the same order (each follows the
   * rules of `messageId`; no two alike). A `fireMany` that rejected — its
   * deliveries may still have been stored — can be fired again with the same
   * messages and `messageIds`: each delivery is stored once.
   * @default a random UUID per message
   */
  messageIds?: readonly string[];
}

/**
 * What `fire()` resolves to once the deliveries are stored (or, with
 * `sync: true`, once every listener has run).
 * @publicApi
 */
export interface FireReceipt {
  messageId: string;
  traceId: string;
  /** Ids of the listeners a delivery was created for, in priority order. */
  listeners: string[];
  /** A `dedupe` fire that stored nothing: the message `mergedInto` held its key. */
  readonly deduplicated?: boolean;
  /** Id of the message a deduplicated fire was merged into. */
  readonly mergedInto?: string;
  /** `'outbox'` when the deliveries were written to the transactional outbox, to be relayed after commit. */
  readonly pending?: 'outbox';
}
