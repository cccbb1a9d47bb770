import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/**
 * Context that travels with a message (a tenant, a user, a locale): string
 * keys and values, stored in the envelope, read by the listener as
 * `context.headers`, inherited by what a listener fires. On a worker they are
 * untrusted input, like the payload.
 * @publicApi
 */
export type MessagioHeaders = Readonly<Record<string, string>>;

/** Most headers one message carries (inherited, captured and given together). */
export const MAX_HEADERS = 32;
/** Longest header name, in characters. */
export const MAX_HEADER_NAME_LENGTH = 64;
/** Longest header value, in characters. */
export const MAX_HEADER_VALUE_LENGTH = 1024;

/** The headers of a message that has none: one frozen object, never allocated per delivery. */
export const NO_HEADERS: MessagioHeaders = Object.freeze({});

// A name is what an HTTP header or a CLS key would be: letters, digits, '.', '_', '-'.
const NAME = /^[A-Za-z0-9_.-]+$/;
// C0 and C1 controls, DEL, and the line and paragraph separators: nothing that
// could break a log line or a header it is copied into.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Names that would reach a prototype when headers are copied or merged.
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why `value` is not a headers object, or undefined when it is one: a plain
 * object of at most `MAX_HEADERS` string values, each named by 1 to
 * `MAX_HEADER_NAME_LENGTH` letters, digits, '.', '_' or '-', each at most
 * `MAX_HEADER_VALUE_LENGTH` characters without control characters.
 */
export function headersProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of string values';
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return 'must be a plain object of string values';
  const names = Object.keys(value);
  if (names.length > MAX_HEADERS) return `has ${names.length} headers, more than ${MAX_HEADERS}`;
  for (const name of names) {
    if (name.length > MAX_HEADER_NAME_LENGTH || !NAME.test(name) || FORBIDDEN_NAMES.has(name)) {
      return `has a header named ${JSON.stringify(name.slice(0, MAX_HEADER_NAME_LENGTH + 1))}: a name is 1 to ${MAX_HEADER_NAME_LENGTH} letters, digits, '.', '_' or '-' (not __proto__, constructor, prototype)`;
    }
    const header = (value as Record<string, unknown>)[name];
    if (typeof header !== 'string') return `header "${name}" must be a string, got ${header === null ? 'null' : typeof header}`;
    if (header.length > MAX_HEADER_VALUE_LENGTH) return `header "${name}" is ${header.length} characters long, more than ${MAX_HEADER_VALUE_LENGTH}`;
    if (CONTROL.test(header)) return `header "${name}" contains a control character`;
  }
  return undefined;
}

/**
 * The headers a message carries: those it inherits (the handled message's),
 * then those captured at fire, then its own, each later one winning. Each part
 * is checked already; only the merged count is checked here. Returns the
 * inherited object itself when nothing is added (no copy), and undefined when
 * there are none (the envelope then carries no `headers`).
 */
export function mergeHeaders(
  inherited: MessagioHeaders | undefined,
  captured: Record<string, string> | undefined,
  own: Record<string, string> | undefined,
): MessagioHeaders | undefined {
  if (captured === undefined && own === undefined) return inherited === undefined || inherited === NO_HEADERS ? undefined : inherited;
  const merged: Record<string, string> = Object.assign({}, inherited, captured, own);
  const count = Object.keys(merged).length;
  if (count === 0) return undefined;
  if (count > MAX_HEADERS) {
    throw new MessagioConfigurationError(
      `A message carries at most ${MAX_HEADERS} headers (inherited, captured by propagate.capture() and given to fire() together), got ${count}: drop some.`,
    );
  }
  return Object.freeze(merged);
}
