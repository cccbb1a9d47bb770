import { splitDeliveryId } from './delivery-id.js';

// Here, in the message room, because `message.fire()` returns a receipt whose
// `wait()` reports these states; transports and the admin read them too.

/**
 * Where one delivery stands (channels-envelope's queued → running →
 * success/failed lifecycle). `delayed` covers a `delay` and a wait before a
 * retry; `unknown` means the transport no longer holds it (removed by
 * retention, or never stored).
 * @publicApi
 */
export type DeliveryStatus = 'queued' | 'delayed' | 'running' | 'completed' | 'failed' | 'unknown';

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
  return status === 'completed' || status === 'failed' || status === 'unknown';
}

/** The state of a delivery the transport does not hold. */
export function unknownState(id: string): DeliveryState {
  return { id, ...splitDeliveryId(id), status: 'unknown', attempts: 0 };
}
