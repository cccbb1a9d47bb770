import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type {
  MessagioListenerDefaults,
  ResolvedListenerOptions,
} from '../interfaces/messagio-listener-options.interface.js';
import { assertPriority, MessagioPriority } from '../contract/priority.js';

export const LISTENER_DEFAULTS: ResolvedListenerOptions = {
  priority: MessagioPriority.REGULAR,
  retryOn: [],
  maxRetries: 0,
  retryDelay: 1000,
  backoff: 'fixed',
};

/** Applies defaults and checks every option once, at bootstrap. */
export function resolveListenerOptions(
  id: string,
  options: MessagioListenerDefaults,
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
