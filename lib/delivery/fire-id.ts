import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/** Longest `messageId` / `traceId` accepted at fire. */
export const MAX_FIRE_ID_LENGTH = 128;

// Printable ASCII without space, ':' (BullMQ refuses it in job ids) and '|'
// (the delivery id separator). Ids given at fire, often from a request header,
// end up in job ids, Redis keys and log lines, where a control character could
// forge a line.
const FIRE_ID = /^[!-9;-{}~]+$/;

/**
 * Throws `MessagioConfigurationError` unless `value` is a usable message or
 * trace id. `option` names it in the message, e.g. `fire() option traceId`.
 */
export function checkFireId(value: unknown, option: string): void {
  if (typeof value === 'string' && value.length <= MAX_FIRE_ID_LENGTH && FIRE_ID.test(value)) return;
  const shown = typeof value === 'string' && value.length > MAX_FIRE_ID_LENGTH ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : safeJson(value);
  throw new MessagioConfigurationError(
    `${option} must be 1 to ${MAX_FIRE_ID_LENGTH} printable ASCII characters without spaces, ':' or '|', got ${shown}.`,
  );
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
