import { copyAsJson, makeEnvelope, type MessagioEnvelope } from '../message/envelope.js';

/**
 * What a broker gives back, without a broker: the one emulation of a JSON
 * round trip, for the transports that keep deliveries in this process (sync,
 * memory). A payload is snapshotted when it is stored, before anyone else
 * sees the message; every attempt then gets a fresh copy, as JSON would give
 * it back, so each listener rebuilds its own message from what a queue would
 * have stored. The other envelope fields are strings (or null), which JSON
 * keeps as they are.
 */
export interface PayloadSnapshot {
  /** A flat payload's private copy (see `copyAsJson`), copied again for each attempt. */
  flat: Record<string, unknown> | undefined;
  /** Otherwise the payload's JSON, parsed again for each attempt ('' when flat). */
  json: string;
}

/** Snapshots `payload` now. `json`: its JSON when the caller already made it (spares a second stringify). */
export function snapshotPayload(payload: Record<string, unknown>, json?: string): PayloadSnapshot {
  const flat = copyAsJson(payload);
  return { flat, json: flat ? '' : (json ?? JSON.stringify(payload)) };
}

/** The envelope of one attempt: `head`'s fields with a fresh copy of the stored payload. */
export function restoreEnvelope(head: MessagioEnvelope, payload: PayloadSnapshot): MessagioEnvelope {
  return makeEnvelope(head, head.listener, payload.flat ? copyAsJson(payload.flat)! : (JSON.parse(payload.json) as Record<string, unknown>));
}
