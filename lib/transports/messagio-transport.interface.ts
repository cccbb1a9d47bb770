import type { MessagioBackoff } from '../interfaces/messagio-listener-options.interface.js';
import type { DeliveryAttempt, DeliveryOutcome } from '../delivery/dispatcher.js';
import type { MessagioEnvelope } from '../message/envelope.js';
import type { DeliveryCounts, DeliveryState, FailedFilter } from './delivery-state.js';

/**
 * One message × one listener, ready to store. Everything a transport needs to
 * schedule it is here; it never looks at listeners or Nest DI.
 * @publicApi
 */
export interface Delivery {
  /** Stable id of the delivery (`messageId|listenerId`); storing it twice is a no-op. */
  id: string;
  envelope: MessagioEnvelope;
  /** messagio scale, 0..1000, higher first. */
  priority: number;
  /**
   * `false` when every listener sending deliveries to this delivery's queue has
   * the same priority: firing order is then priority order, and a transport may
   * skip priority ordering (BullMQ keeps such jobs in its plain FIFO list,
   * cheaper to add and fetch than its prioritised set). Unset means `true`.
   */
  prioritized?: boolean;
  /** Attempts in all (`maxRetries + 1`). */
  attempts: number;
  backoff: { type: MessagioBackoff; delay: number };
  /** Milliseconds before the delivery becomes runnable. */
  delay: number;
  /** Named queue (routing); unset means the default queue. Transports without queues ignore it. */
  queue?: string;
}

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
  /** Starts consuming, after listener discovery. Not called on publish-only processes. */
  start(handler: DeliveryHandler): Promise<void>;
  /** Stops taking work, waits for deliveries in flight, releases resources. */
  close(): Promise<void>;
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
}
