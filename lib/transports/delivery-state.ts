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

/** Filter of `MessagioAdmin.failed()` and `retry()`. */
export interface FailedFilter {
  type?: string;
  listener?: string;
  /** Most deliveries `failed()` lists; `retry()` ignores it and takes them all. @default 100 */
  limit?: number;
}

/** Counts of deliveries by status. */
export type DeliveryCounts = Record<Exclude<DeliveryStatus, 'unknown'>, number>;

export function isFinished(status: DeliveryStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'unknown';
}

/** `messageId|listenerId` → its parts (listener ids contain no `|`... but message ids may). */
export function splitDeliveryId(id: string): { messageId: string; listener: string } {
  const at = id.lastIndexOf('|');
  return { messageId: id.slice(0, at), listener: id.slice(at + 1) };
}
