import { splitDeliveryId } from './delivery-id.js';

// Here, in the message room, because `message.fire()` returns a receipt whose
// `wait()` reports these states; transports and the admin read them too.

/**
 * Where one delivery stands (channels-envelope's queued → running →
 * success/failed lifecycle). `delayed` covers a `delay` and a wait before a
 * retry; `unknown` means the transport no longer holds it (removed by
 * retention, or never stored). With the transactional outbox
 * (`nestjs-messagio/outbox`): `outbox` while the delivery waits in the outbox
 * table for the relay, `dead` when its row was dead-lettered (see
 * `MessagioOutboxAdmin`).
 * @publicApi
 */
export type DeliveryStatus = 'queued' | 'delayed' | 'running' | 'completed' | 'failed' | 'unknown' | 'outbox' | 'dead';

/** @publicApi */
export interface DeliveryState {
  /** `messageId|listenerId`. */
  id: string;
  messageId: string;
  listener: string;
  /** Wire name, when the transport still holds the delivery. */
  type?: string;
  status: DeliveryStatus;
  /** Attempts started so far. */
  attempts: number;
  /** Last error, as `Name: message`, for failed (or retrying) deliveries. */
  error?: string;
  /** Stack of the last error, when recorded. */
  stack?: string;
  finishedAt?: Date;
}

export function isFinished(status: DeliveryStatus): boolean {
  // A dead outbox row is not relayed again until someone retries it: as final as `failed`.
  return status === 'completed' || status === 'failed' || status === 'unknown' || status === 'dead';
}

/** The state of a delivery the transport does not hold. */
export function unknownState(id: string): DeliveryState {
  return { id, ...splitDeliveryId(id), status: 'unknown', attempts: 0 };
}
