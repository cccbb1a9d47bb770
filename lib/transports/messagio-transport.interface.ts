import type { DedupeDecision, DedupeSpec } from '../contract/dedupe.types.js';
import type { Delivery, DeliveryAttempt, DeliveryCounts, DeliveryOutcome, FailedFilter } from '../contract/delivery.types.js';
import type { MessagioScheduleInfo, StoredScheduleSpec, TickHandler } from '../contract/schedule.types.js';
import type { DeliveryState } from '../message/delivery-state.js';

/**
 * Runs one attempt of a delivery (the dispatcher); given to the transport at
 * `start`. The transport passes the raw stored data: the handler checks it.
 * @publicApi
 */
export type DeliveryHandler = (data: unknown, attempt: DeliveryAttempt) => Promise<DeliveryOutcome>;

/**
 * Carries deliveries from `fire()` to the dispatcher. BullMQ and in-memory
 * transports ship; write your own for another broker (messagio's "roll your
 * own message center").
 * @publicApi
 */
export interface MessagioTransport {
  /** Short name shown in `MessagioContext.transport` and logs. */
  readonly name: string;
  /** Stores deliveries (all in one round trip where the backend allows); resolves once stored. */
  enqueue(deliveries: Delivery[]): Promise<void>;
  /**
   * Starts consuming, after listener discovery. Not called on publish-only
   * processes. `ticks` runs the ticks of schedules (when the transport has them).
   */
  start(handler: DeliveryHandler, ticks?: TickHandler): Promise<void>;
  /** Stops taking work, waits for deliveries in flight, releases resources. */
  close(): Promise<void>;
  /**
   * Optional (`failFast: true`): resolves once the transport can store;
   * rejects with `MessagioUnavailableError` when it cannot (its connection's
   * first error, or not ready within `timeout` ms). Awaited by `app.init()`.
   */
  waitUntilReady?(timeout: number): Promise<void>;
  /** Optional: stop fetching new deliveries (in-flight ones finish). */
  pause?(): Promise<void>;
  /** Optional: undo `pause`. */
  resume?(): Promise<void>;
  /** Optional (needed by `receipt.wait()` and `MessagioAdmin.status()`): states of deliveries by id. */
  inspect?(deliveryIds: string[]): Promise<DeliveryState[]>;
  /** Optional (`MessagioAdmin`): deliveries that failed for good, newest first. */
  failed?(filter: FailedFilter): Promise<DeliveryState[]>;
  /**
   * Optional (`MessagioAdmin`): runs failed deliveries again with a fresh retry
   * budget, one retry cycle later (`DeliveryAttempt.cycle`); returns the ids re-queued.
   */
  retry?(deliveryIds: string[]): Promise<string[]>;
  /**
   * Optional (`MessagioAdmin`): `retry` of every failed delivery matching the
   * filter (`limit` ignored), however many, each once. Without it the admin
   * pages through `failed()`.
   */
  retryFailed?(filter: FailedFilter): Promise<string[]>;
  /** Optional (`MessagioAdmin`): deliveries by status. */
  counts?(): Promise<DeliveryCounts>;
  /**
   * Optional (`fire(msg, { dedupe })`): stores a message's deliveries unless
   * the dedupe key is held by another message, in one decision for all of them.
   */
  enqueueDeduplicated?(deliveries: Delivery[], dedupe: DedupeSpec): Promise<DedupeDecision>;
  /**
   * Optional (`MessagioScheduler`): creates or replaces a schedule. The same id
   * and spec again changes nothing; another spec replaces it. Its ticks run,
   * once each across every process, through the `ticks` handler of `start`.
   */
  upsertSchedule?(id: string, spec: StoredScheduleSpec): Promise<void>;
  /** Optional (`MessagioScheduler`): removes a schedule and its next tick; false when there was none. */
  removeSchedule?(id: string): Promise<boolean>;
  /** Optional (`MessagioScheduler`): the schedules stored. */
  listSchedules?(): Promise<MessagioScheduleInfo[]>;
}
