import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { FireOptions } from '../message/fire-options.js';
import { headersProblem } from '../message/message-headers.js';
import { checkDedupe } from './fire-dedupe.js';
import { checkFireId } from './fire-id.js';

/** Throws `MessagioConfigurationError` for `fire()` / `fireMany()` options it cannot honour. */
export function checkFireOptions(options: FireOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new MessagioConfigurationError(`fire() options must be an object, got ${String(options)}.`);
  }
  if (options.delay !== undefined && (typeof options.delay !== 'number' || !Number.isFinite(options.delay) || options.delay < 0)) {
    throw new MessagioConfigurationError(`fire() option delay must be a number of milliseconds ≥ 0, got ${String(options.delay)}.`);
  }
  if (options.messageId !== undefined) checkFireId(options.messageId, 'fire() option messageId');
  if (options.traceId !== undefined) checkFireId(options.traceId, 'fire() option traceId');
  if (options.headers !== undefined) checkHeaders(options.headers, 'fire() option headers');
  if (options.dedupe !== undefined) checkDedupe(options.dedupe, options);
  if (options.causedBy !== undefined) checkCause(options.causedBy);
}

/** `causedBy`: a delivery's ids (as a `MessagioContext` has them), checked as fired ids are. */
function checkCause(cause: FireOptions['causedBy']): void {
  if (cause === null || typeof cause !== 'object') {
    throw new MessagioConfigurationError(`fire() option causedBy must be the MessagioContext of the delivery that causes the message, got ${String(cause)}.`);
  }
  checkFireId(cause.messageId, 'fire() option causedBy.messageId');
  checkFireId(cause.traceId, 'fire() option causedBy.traceId');
  if (cause.headers !== undefined) checkHeaders(cause.headers, 'fire() option causedBy.headers');
}

function checkHeaders(headers: unknown, what: string): void {
  const problem = headersProblem(headers);
  if (problem !== undefined) throw new MessagioConfigurationError(`${what} ${problem}.`);
}

/** Throws `MessagioConfigurationError` unless `ids` gives each of `count` messages its own usable id. */
export function checkMessageIds(ids: readonly string[], count: number): void {
  if (!Array.isArray(ids) || ids.length !== count) {
    throw new MessagioConfigurationError(
      `fireMany() option messageIds must be an array with one id per message (${count}), got ${Array.isArray(ids) ? `${ids.length} ids` : String(ids)}.`,
    );
  }
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    checkFireId(ids[i], `fireMany() option messageIds[${i}]`);
    if (seen.has(ids[i]!)) throw new MessagioConfigurationError(`fireMany() option messageIds has "${ids[i]}" twice: each message needs its own id.`);
    seen.add(ids[i]!);
  }
}
