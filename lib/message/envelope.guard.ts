import { MessagioEnvelopeError } from '../errors/messagio-envelope.error.js';
import { ENVELOPE_VERSION, type MessagioEnvelope } from './envelope.js';
import { headersProblem } from './message-headers.js';
import { isVersion } from './messagio-type.decorator.js';
import { MAX_PAYLOAD_DEPTH } from './payload-depth.js';

// The worker's side of the envelope: job data is untrusted (another producer,
// an older version, a hand-edited job), so it is checked before anything reads it.

// Keys that could reach an object's prototype when a payload is rebuilt.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks that untrusted job data is an envelope this version understands, with
 * a `firedAt` that is a real date and time, `headers` (if any) within their
 * limits (see `headersProblem`), and a payload that cannot pollute
 * prototypes nor overflow a stack (at most `MAX_PAYLOAD_DEPTH` levels). Throws
 * `MessagioEnvelopeError`.
 */
export function parseEnvelope(raw: unknown, maxPayloadBytes = Infinity): MessagioEnvelope {
  if (!isRecord(raw)) throw malformed('job data is not an object');
  if (raw.v !== ENVELOPE_VERSION) {
    if (raw.v === undefined) throw malformed('no envelope version ("v")');
    throw new MessagioEnvelopeError(
      'unsupported-version',
      `Envelope version ${describeVersion(raw.v)} is not supported (this process reads v${ENVELOPE_VERSION}).`,
    );
  }
  for (const key of ['type', 'id', 'traceId', 'firedAt', 'listener'] as const) {
    if (typeof raw[key] !== 'string' || raw[key] === '') throw malformed(`"${key}" must be a non-empty string`);
  }
  if (raw.causationId !== null && typeof raw.causationId !== 'string') {
    throw malformed('"causationId" must be a string or null');
  }
  if (raw.typeVersion !== undefined && !isVersion(raw.typeVersion)) {
    throw malformed(`"typeVersion" must be a whole number ≥ 1 when present (got ${describeVersion(raw.typeVersion)})`);
  }
  if (raw.headers !== undefined) {
    // Untrusted like the payload: a listener and propagate.restore() read them.
    const problem = headersProblem(raw.headers);
    if (problem !== undefined) throw malformed(`"headers" ${problem}`);
  }
  if (!isRecord(raw.payload)) throw malformed('"payload" must be an object');
  // One walk: the pollution guard, the depth limit, and a bound on the JSON size
  // that spares serialising the payload again unless it may be over the limit.
  const bound = checkPayload(raw.payload, ['payload'], 1);
  if (bound > maxPayloadBytes) assertPayloadSize(raw.payload, maxPayloadBytes);
  // After the payload, so that a pollution attempt is reported as such whatever else is wrong.
  if (!isDateTime(raw.firedAt as string)) {
    throw malformed(`"firedAt" must be an ISO-8601 date and time, such as 2026-01-02T03:04:05.678Z (got ${JSON.stringify((raw.firedAt as string).slice(0, 40))})`);
  }
  return raw as unknown as MessagioEnvelope;
}

// An ISO-8601 date and time with its offset, as `toISOString()` writes it
// (seconds' fraction and a numeric offset allowed). The ranges are checked here
// and the year has 4 digits, so every match is a date `new Date()` can hold.
const DATE_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** A `DATE_TIME` whose day exists in its month (`Date` would roll 2026-02-30 over into March). */
function isDateTime(value: string): boolean {
  if (!DATE_TIME.test(value)) return false;
  const day = digits(value, 8);
  if (day <= 28) return true;
  const month = digits(value, 5);
  if (month !== 2) return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
  const year = digits(value, 0) * 100 + digits(value, 2);
  return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The two-digit number at `at`, from a string already matched by `DATE_TIME`. */
function digits(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48;
}

/** Throws `MessagioEnvelopeError('payload-too-large')` when the payload's JSON exceeds `max` bytes. */
function assertPayloadSize(payload: Record<string, unknown>, max: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > max) {
    throw new MessagioEnvelopeError('payload-too-large', `Payload is ${bytes} bytes, more than maxPayloadBytes (${max}).`);
  }
}

/**
 * Throws on a key that could reach a prototype, or on an object or array at a
 * `level` past `MAX_PAYLOAD_DEPTH` (before recursing further: the walk's own
 * stack stays bounded), and returns an upper bound of the value's JSON size in
 * UTF-8 bytes: at most 6 bytes per UTF-16 unit of a string (the longest
 * escape), 25 per number; `Infinity` for anything JSON might render otherwise
 * (`toJSON`, BigInt), which then gets measured exactly.
 */
function checkPayload(value: unknown, path: string[], level: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + 6 * value.length;
    case 'number':
      return 25;
    case 'boolean':
      return 5;
    case 'bigint':
      return Infinity;
    case 'object':
      break;
    default:
      return 4; // undefined, functions, symbols: left out, or null in an array
  }
  if (value === null) return 4;
  if (level > MAX_PAYLOAD_DEPTH) {
    throw new MessagioEnvelopeError(
      'too-deep',
      `Payload nests objects and arrays more than ${MAX_PAYLOAD_DEPTH} levels deep (the limit); it cannot be rebuilt. Fire flatter messages.`,
    );
  }
  if (Array.isArray(value)) {
    let size = 2 + value.length;
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      size += checkPayload(value[i], path, level + 1);
      path.pop();
    }
    return size;
  }
  const record = value as Record<string, unknown>;
  let size = typeof record.toJSON === 'function' ? Infinity : 2;
  for (const key of Object.keys(record)) {
    if (FORBIDDEN_KEYS.has(key)) {
      throw new MessagioEnvelopeError('forbidden-key', `Payload key "${[...path, key].join('.')}" is forbidden (prototype pollution guard).`);
    }
    path.push(key);
    size += 4 + 6 * key.length + checkPayload(record[key], path, level + 1);
    path.pop();
  }
  return size;
}

/** A stored `v` for an error message: never serialised whole (it may be huge, or nested past any stack). */
function describeVersion(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v !== 'object' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(why: string): MessagioEnvelopeError {
  return new MessagioEnvelopeError('malformed', `Not a messagio envelope: ${why}.`);
}
