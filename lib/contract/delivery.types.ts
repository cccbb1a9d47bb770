import type { DeliveryStatus } from '../message/delivery-state.js';
import type { MessagioEnvelope } from '../message/envelope.js';

// The shapes the pipeline (delivery/), the listeners and the transports share.
// Plain types and pure helpers: nothing here knows Nest DI, a listener or a broker.

/** How the wait between attempts grows. */
export type MessagioBackoff = 'fixed' | 'exponential';

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

/** What the transport knows of the attempt it is running. */
export interface DeliveryAttempt {
  /** 1-based attempt number. */
  attempt: number;
  /** Transport name, shown in the listener's context. */
  transport: string;
  /**
   * Retry cycle: 0 for the first life of the delivery, plus one for each time
   * `MessagioAdmin.retry` ran it again. Part of its fault's id, so that each
   * final failure is reported once. @default 0
   */
  cycle?: number;
  /** Id the transport stored the delivery under (BullMQ: the job id); names data that cannot be read. */
  id?: string;
  /** Name the transport stored the delivery under (BullMQ: the job name, the wire name). */
  name?: string;
  /**
   * Set when the transport itself failed this attempt for good, without
   * running it (BullMQ: a job that stalled more than `maxStalledCount` times):
   * the handler reports the failure (log, observers, `MessagioFault`) and
   * never calls the listener.
   */
  refused?: Error;
}

/**
 * How one attempt of a delivery ended. Transports act on it: `retry` after
 * `delay` ms, or record `failed` for good. `poison` failures are deliveries
 * that could never succeed (bad envelope, unknown type, invalid payload).
 */
export type DeliveryOutcome =
  | { status: 'completed'; envelope: MessagioEnvelope }
  | { status: 'retry'; envelope: MessagioEnvelope; error: Error; delay: number }
  | { status: 'failed'; envelope: MessagioEnvelope | undefined; error: Error; poison: boolean };

/** A delivery's last attempt, failed for good. */
export type FailedOutcome = DeliveryOutcome & { status: 'failed' };

/** Filter of `MessagioAdmin.failed()` and `retry()`. */
export interface FailedFilter {
  type?: string;
  listener?: string;
  /** Most deliveries `failed()` lists; `retry()` ignores it and takes them all. @default 100 */
  limit?: number;
}

/** Counts of deliveries by status. */
export type DeliveryCounts = Record<Exclude<DeliveryStatus, 'unknown' | 'outbox' | 'dead'>, number>;

/** Whether a failed delivery of `type` for `listener` is one `filter` selects. */
export function matchesFailedFilter({ type, listener }: FailedFilter, deliveryType: string | undefined, deliveryListener: string | undefined): boolean {
  return (type === undefined || deliveryType === type) && (listener === undefined || deliveryListener === listener);
}
