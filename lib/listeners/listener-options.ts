import type { MessagioBackoff } from '../contract/delivery.types.js';
import { assertPriority, MessagioPriority } from '../contract/priority.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/** An error class a listener may be retried for (`retryOn`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * Delivery options shared by `@OnMessagio`, `MessageCenter.subscribe` and the
 * module's `defaultListenerOptions`.
 * @publicApi
 */
export interface MessagioListenerDefaults {
  /**
   * Higher runs first: an integer from 0 to 1000 (see `MessagioPriority`).
   * @default MessagioPriority.REGULAR (5)
   */
  priority?: number;
  /**
   * Errors that may be retried (messagio's `autoretry_for`). An error that is
   * not an instance of one of them fails the delivery at once.
   * @default [] — any error may be retried
   */
  retryOn?: ErrorClass[];
  /**
   * Retries after the first attempt; `3` means up to 4 attempts in all.
   * @default 0
   */
  maxRetries?: number;
  /**
   * Milliseconds before the first retry.
   * @default 1000
   */
  retryDelay?: number;
  /**
   * `fixed`: every retry waits `retryDelay`; `exponential`: retry n waits
   * `retryDelay * 2^(n-1)`.
   * @default 'fixed'
   */
  backoff?: MessagioBackoff;
}

/**
 * Options of one listener. A bare number given to `@OnMessagio(Type, 10)` is
 * the `priority`.
 * @publicApi
 */
export interface OnMessagioOptions extends MessagioListenerDefaults {
  /**
   * Queue this listener's deliveries go to (messagio's `CELERY_TASK_ROUTES`);
   * it must be declared in the module's `queues`.
   * @default the first matching module `routes` entry, else the default queue
   */
  queue?: string;
  /**
   * Stable id of the listener; it is part of every job id, so renaming a class
   * or method does not orphan queued deliveries when it is set. No `:`.
   * @default 'ClassName.methodName'
   */
  id?: string;
  /**
   * Exactly-once effects in the app's database (`nestjs-messagio/outbox`):
   * each attempt runs in one transaction that first records the delivery's
   * id in the inbox table; a redelivery of an attempt that committed finds it
   * and completes without calling the listener. The transaction is
   * `context.transaction` (and the ambient `@nestjs-cls/transactional` one).
   * Needs `MessagioOutboxModule`; one value for all the listener's subscriptions.
   * @default false
   */
  inbox?: boolean;
}

/** The module options the listeners read. */
export interface ListenerModuleOptions {
  /** Defaults applied to every listener's options. */
  defaultListenerOptions?: MessagioListenerDefaults;
  /**
   * Message type → queue, by wire name with `*`/`?` globs, first match wins
   * (`{ 'billing.*': 'critical' }`). A listener's own `queue` option wins over routes.
   */
  routes?: Record<string, string>;
  /**
   * Run each listener attempt in a fresh nestjs-cls context (holding the
   * `MessagioContext` under `'messagio'`). `true`: nestjs-cls must be in the
   * app (bootstrap fails otherwise); `false`: never.
   * @default when the app provides nestjs-cls's `ClsService` (`ClsModule`)
   */
  cls?: boolean;
}

/** Listener options with every default applied, checked once at bootstrap. */
export interface ResolvedListenerOptions {
  priority: number;
  retryOn: ErrorClass[];
  maxRetries: number;
  retryDelay: number;
  backoff: MessagioBackoff;
  /** Queue of this subscription's deliveries, routed at bootstrap; unset means the default queue. */
  queue?: string;
  /** Runs each attempt through the inbox (`OnMessagioOptions.inbox`). */
  inbox: boolean;
}

export const LISTENER_DEFAULTS: ResolvedListenerOptions = {
  priority: MessagioPriority.REGULAR,
  retryOn: [],
  maxRetries: 0,
  retryDelay: 1000,
  backoff: 'fixed',
  inbox: false,
};

/** Applies defaults and checks every option once, at bootstrap. */
export function resolveListenerOptions(
  id: string,
  options: MessagioListenerDefaults & Pick<OnMessagioOptions, 'inbox'>,
  defaults: MessagioListenerDefaults = {},
): ResolvedListenerOptions {
  const merged = { ...LISTENER_DEFAULTS, ...strip(defaults), ...strip(options) };
  const where = `Listener "${id}"`;
  assertPriority(merged.priority, where);
  if (!Number.isInteger(merged.maxRetries) || merged.maxRetries < 0) {
    throw new MessagioConfigurationError(`${where}: maxRetries must be a whole number ≥ 0, got ${String(merged.maxRetries)}.`);
  }
  if (typeof merged.retryDelay !== 'number' || !Number.isFinite(merged.retryDelay) || merged.retryDelay < 0) {
    throw new MessagioConfigurationError(`${where}: retryDelay must be a number of milliseconds ≥ 0, got ${String(merged.retryDelay)}.`);
  }
  if (merged.backoff !== 'fixed' && merged.backoff !== 'exponential') {
    throw new MessagioConfigurationError(`${where}: backoff must be 'fixed' or 'exponential', got ${String(merged.backoff)}.`);
  }
  if (!Array.isArray(merged.retryOn) || merged.retryOn.some((e) => typeof e !== 'function')) {
    throw new MessagioConfigurationError(`${where}: retryOn must be an array of error classes.`);
  }
  if (typeof merged.inbox !== 'boolean') {
    throw new MessagioConfigurationError(`${where}: inbox must be true or false, got ${String(merged.inbox)}.`);
  }
  return merged;
}

export function assertListenerId(id: unknown, where: string): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '' || /[:|]/.test(id)) {
    throw new MessagioConfigurationError(`${where}: a listener id must be a non-empty string without ':' or '|', got ${JSON.stringify(id)}.`);
  }
}

// `{ priority: undefined }` must not erase a default.
function strip<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
