import type { MessagioHeaders } from './message-headers.js';

/** Version of the envelope layout; a worker refuses versions it does not know. */
export const ENVELOPE_VERSION = 1;

/**
 * What travels for one delivery (one message × one listener): the job data of
 * the BullMQ transport. Plain JSON.
 * @publicApi
 */
export interface MessagioEnvelope {
  v: typeof ENVELOPE_VERSION;
  /** Wire name of the message type. */
  type: string;
  /**
   * Schema version of the message type (`@MessagioType(name, { version })`)
   * the payload was fired at; absent for version 1, so that jobs stay lean and
   * envelopes from before versions read as version 1.
   */
  typeVersion?: number;
  /** Message id, shared by the deliveries of one fire. */
  id: string;
  traceId: string;
  /** Id of the message whose listener fired this one, or null. */
  causationId: string | null;
  /** ISO-8601 time of the fire. */
  firedAt: string;
  /** Id of the listener this delivery is for. */
  listener: string;
  /**
   * Context that travels with the message (`fire(msg, { headers })`, inherited
   * by nested fires, `propagate.capture()`); absent when there is none.
   */
  headers?: MessagioHeaders;
  /** The message's own properties (class-transformer `instanceToPlain`). */
  payload: Record<string, unknown>;
}

/**
 * An envelope with its fields in the canonical order, built as one literal
 * (cheaper than spreading a base envelope per listener).
 */
export function makeEnvelope(head: Omit<MessagioEnvelope, 'payload' | 'listener'>, listener: string, payload: Record<string, unknown>): MessagioEnvelope {
  if (head.typeVersion !== undefined || head.headers !== undefined) return withOptionalFields(head, listener, payload);
  return {
    v: head.v,
    type: head.type,
    id: head.id,
    traceId: head.traceId,
    causationId: head.causationId,
    firedAt: head.firedAt,
    listener,
    payload,
  };
}

/** The rarer envelope with a `typeVersion` (after `type`) or `headers` (before the payload), keys in canonical order. */
function withOptionalFields(head: Omit<MessagioEnvelope, 'payload' | 'listener'>, listener: string, payload: Record<string, unknown>): MessagioEnvelope {
  const envelope: Partial<MessagioEnvelope> = { v: head.v, type: head.type };
  if (head.typeVersion !== undefined) envelope.typeVersion = head.typeVersion;
  envelope.id = head.id;
  envelope.traceId = head.traceId;
  envelope.causationId = head.causationId;
  envelope.firedAt = head.firedAt;
  envelope.listener = listener;
  if (head.headers !== undefined) envelope.headers = head.headers;
  envelope.payload = payload;
  return envelope as MessagioEnvelope;
}

const CANONICAL_KEYS = ['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener', 'payload'];
/** Where optional `headers` stand among the canonical keys: right before the payload. */
const HEADERS_AT = CANONICAL_KEYS.indexOf('payload');
/** Where the optional `typeVersion` sits among the canonical keys: right after `type`. */
const TYPE_VERSION_AT = 2;

/**
 * True for an envelope that JSON gives back unchanged but for its payload:
 * a plain object with exactly the canonical keys, in order (with or without
 * `typeVersion` after `type`), whose fields other than the payload are
 * strings, finite numbers or null, and whose `headers`, if any (before the
 * payload), are frozen string values (shared by every attempt: nobody can
 * change them). A transport that keeps
 * deliveries in memory stores only the payload's JSON for those, and rebuilds
 * the rest with `makeEnvelope`: the same object a full JSON round trip gives.
 */
export function isCanonicalEnvelope(value: unknown): value is MessagioEnvelope {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  let i = 0;
  for (const key in value) {
    if (key === 'headers' && i === HEADERS_AT) {
      if (!isFrozenHeaders((value as Record<string, unknown>).headers)) return false;
      continue;
    }
    if (key === CANONICAL_KEYS[i]) i++;
    else if (key !== 'typeVersion' || i !== TYPE_VERSION_AT) return false;
    if (key === 'payload') continue;
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string' || field === null) continue;
    if (typeof field === 'number' && Number.isFinite(field) && !Object.is(field, -0)) continue;
    return false;
  }
  return i === CANONICAL_KEYS.length;
}

function isFrozenHeaders(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/**
 * `JSON.parse(JSON.stringify(payload))` without the text, for a payload whose
 * values are all primitives (a flat message, the common case): strings,
 * booleans and null as they are; finite numbers as they are but -0 as 0;
 * NaN and ±Infinity as null; undefined, functions and symbols left out.
 * Returns `undefined` for anything else (a nested object or array, a BigInt, a
 * `__proto__` key), which must then go through JSON. The copy is always new:
 * what a broker would hand back, for the price of a shallow copy.
 */
export function copyAsJson(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(payload)) {
    if (key === '__proto__') return undefined; // an own "__proto__" cannot be copied by assignment
    const value = payload[key];
    switch (typeof value) {
      case 'string':
      case 'boolean':
        copy[key] = value;
        break;
      case 'number':
        copy[key] = Number.isFinite(value) ? value + 0 : null; // + 0 turns -0 into 0
        break;
      case 'undefined':
      case 'function':
      case 'symbol':
        break;
      case 'object':
        if (value !== null) return undefined;
        copy[key] = null;
        break;
      default:
        return undefined;
    }
  }
  return copy;
}
