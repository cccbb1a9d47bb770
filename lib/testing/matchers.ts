import type { Messagio, MessagioClass } from '../message/messagio.js';
import { MessagioTestHarness } from './messagio-test-harness.js';
import type { MessagioDeliveryRecord } from './records.js';

/**
 * What a matcher gets as `this` from Jest's `expect` (the part used here):
 * declared locally so this module needs no Jest package.
 */
export interface MessagioMatcherContext {
  isNot: boolean;
  equals(a: unknown, b: unknown): boolean;
  utils: {
    printReceived(value: unknown): string;
    printExpected(value: unknown): string;
    stringify(value: unknown): string;
  };
}

/** What a matcher returns. */
export interface MessagioMatcherResult {
  pass: boolean;
  message(): string;
}

/** A partial message: each given property must equal (or match, with `expect.any`...) the message's. */
export type MessagioPartial<T> = { [K in keyof T]?: unknown };

/** An expected failure: an error class, a message substring or pattern, or a partial error. */
export type MessagioErrorMatch = string | RegExp | (abstract new (...args: never[]) => Error) | { name?: unknown; message?: unknown };

/**
 * Matchers on a `MessagioTestHarness`, for `expect.extend()`:
 * `toHaveFired(Type, partial?)`, `toHaveHandled(Type, listenerId?)`,
 * `toHaveFailed(Type?, listenerId?, error?)`. `import 'nestjs-messagio/testing/jest'`
 * registers them and declares their types.
 * @publicApi
 */
export const messagioMatchers = {
  toHaveFired(this: MessagioMatcherContext, received: unknown, type: MessagioClass, partial?: Record<string, unknown>): MessagioMatcherResult {
    const harness = asHarness(received, 'toHaveFired');
    const fired = harness.fired(type);
    const pass = fired.some((r) => partial === undefined || matchesPartial(this, r.message, partial));
    const what = `${type.name}${partial !== undefined ? ` matching ${this.utils.printExpected(partial)}` : ''}`;
    return {
      pass,
      message: () =>
        pass
          ? `expected no ${what} to have been fired, but one was`
          : `expected ${what} to have been fired.\n${describeFired(this, harness, type)}`,
    };
  },

  toHaveHandled(this: MessagioMatcherContext, received: unknown, type: MessagioClass, listenerId?: string): MessagioMatcherResult {
    const harness = asHarness(received, 'toHaveHandled');
    const pass = harness.handled(type, listenerId).length > 0;
    const what = `${type.name}${listenerId !== undefined ? ` by ${listenerId}` : ''}`;
    return {
      pass,
      message: () =>
        pass
          ? `expected ${what} not to have been handled, but it was`
          : `expected ${what} to have been handled.\n${describeDeliveries(harness.deliveries(type, listenerId), `deliveries of ${what}`)}`,
    };
  },

  toHaveFailed(
    this: MessagioMatcherContext,
    received: unknown,
    type?: MessagioClass,
    listenerId?: string,
    error?: MessagioErrorMatch,
  ): MessagioMatcherResult {
    const harness = asHarness(received, 'toHaveFailed');
    const pass = harness.failed(type, listenerId).some((d) => error === undefined || matchesError(this, d.error, error));
    const what = `${type ? type.name : 'a delivery'}${listenerId !== undefined ? ` by ${listenerId}` : ''}${
      error !== undefined ? ` with ${error instanceof RegExp || typeof error === 'string' ? this.utils.printExpected(error) : describeErrorMatch(this, error)}` : ''
    }`;
    return {
      pass,
      message: () =>
        pass
          ? `expected ${what} not to have failed, but it did`
          : `expected ${what} to have failed for good.\n${describeDeliveries(harness.deliveries(type, listenerId), 'deliveries')}`,
    };
  },
};

/** Types of the matchers, for `declare module 'expect'` and `jest.Matchers` augmentations. */
export interface MessagioMatchers<R> {
  /** A message of `type` was fired (and, given `partial`, one whose properties match it). */
  toHaveFired<T extends Messagio>(type: MessagioClass<T>, partial?: MessagioPartial<T>): R;
  /** A delivery of `type` (to `listenerId`) completed. */
  toHaveHandled<T extends Messagio>(type: MessagioClass<T>, listenerId?: string): R;
  /** A delivery (of `type`, to `listenerId`, with an error matching `error`) failed for good. */
  toHaveFailed<T extends Messagio>(type?: MessagioClass<T>, listenerId?: string, error?: MessagioErrorMatch): R;
}

function asHarness(received: unknown, matcher: string): MessagioTestHarness {
  if (received instanceof MessagioTestHarness) return received;
  throw new TypeError(`${matcher}() expects a MessagioTestHarness (app.get(MessagioTestHarness)), got ${typeof received === 'object' ? (received?.constructor?.name ?? 'null') : typeof received}.`);
}

function matchesPartial(ctx: MessagioMatcherContext, actual: unknown, partial: Record<string, unknown>): boolean {
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(partial).every(([key, expected]) => {
    const value = (actual as Record<string, unknown>)[key];
    if (isPlainObject(expected) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return matchesPartial(ctx, value, expected);
    }
    return ctx.equals(value, expected);
  });
}

function matchesError(ctx: MessagioMatcherContext, error: Error | undefined, match: MessagioErrorMatch): boolean {
  if (!error) return false;
  if (typeof match === 'string') return error.message.includes(match);
  if (match instanceof RegExp) return match.test(`${error.name}: ${error.message}`);
  if (typeof match === 'function') return error instanceof match;
  return matchesPartial(ctx, error, match as Record<string, unknown>);
}

function describeErrorMatch(ctx: MessagioMatcherContext, match: MessagioErrorMatch): string {
  return typeof match === 'function' ? match.name : ctx.utils.printExpected(match);
}

// Not an asymmetric matcher, array, date or class instance: a plain `{ ... }` to match key by key.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describeFired(ctx: MessagioMatcherContext, harness: MessagioTestHarness, type: MessagioClass): string {
  const same = harness.fired(type);
  if (same.length > 0) {
    return `Fired ${type.name} (${same.length}):\n${same.map((r) => `  ${ctx.utils.printReceived(r.message)}`).join('\n')}`;
  }
  const all = harness.fired();
  return all.length === 0 ? 'Nothing was fired.' : `Fired instead: ${[...new Set(all.map((r) => r.type))].join(', ')}.`;
}

function describeDeliveries(deliveries: MessagioDeliveryRecord[], label: string): string {
  if (deliveries.length === 0) return `There were no ${label}.`;
  const lines = deliveries.map((d) => {
    const error = d.error ? ` — ${d.error.name}: ${d.error.message}` : '';
    return `  ${d.listener} on ${d.type}: ${d.status} after ${d.attempts.length} attempt(s)${error}`;
  });
  return `The ${label} were:\n${lines.join('\n')}`;
}
