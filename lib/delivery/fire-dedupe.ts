import type { DedupeSpec } from '../contract/dedupe.types.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { FireOptions, MessagioDedupeOptions } from '../message/fire-options.js';
import { checkFireId } from './fire-id.js';

const MODES: ReadonlyArray<DedupeSpec['mode']> = ['simple', 'throttle', 'debounce'];

/** Throws `MessagioConfigurationError` for a `dedupe` fire option it cannot honour. */
export function checkDedupe(dedupe: MessagioDedupeOptions, options: FireOptions): void {
  if (dedupe === null || typeof dedupe !== 'object') {
    throw new MessagioConfigurationError(`fire() option dedupe must be an object { key, ttl?, mode? }, got ${String(dedupe)}.`);
  }
  checkFireId(dedupe.key, 'fire() option dedupe.key');
  const { ttl, mode } = dedupe;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1)) {
    throw new MessagioConfigurationError(`fire() option dedupe.ttl must be a whole number of milliseconds ≥ 1, got ${String(ttl)}.`);
  }
  if (mode !== undefined && !MODES.includes(mode)) {
    throw new MessagioConfigurationError(`fire() option dedupe.mode must be 'simple', 'throttle' or 'debounce', got ${JSON.stringify(mode)}.`);
  }
  if (mode === 'simple' && ttl !== undefined) {
    throw new MessagioConfigurationError(
      "fire() option dedupe: mode 'simple' holds the key until the message's deliveries have finished and takes no ttl; use mode 'throttle' to hold it for ttl ms.",
    );
  }
  if ((mode === 'throttle' || mode === 'debounce') && ttl === undefined) {
    throw new MessagioConfigurationError(`fire() option dedupe: mode '${mode}' needs a ttl in milliseconds.`);
  }
  if (options.sync) {
    throw new MessagioConfigurationError('fire() options sync and dedupe cannot go together: a sync fire stores nothing that a later fire could be merged into.');
  }
  if (mode === 'debounce' && options.delay !== undefined) {
    throw new MessagioConfigurationError("fire() options delay and dedupe mode 'debounce' cannot go together: a debounced message waits ttl ms after the last fire.");
  }
}

/** The transport's view of a checked `dedupe` option: the mode made explicit, the key scoped to the message type. */
export function dedupeSpecOf(type: string, dedupe: MessagioDedupeOptions): DedupeSpec {
  const mode = dedupe.mode ?? (dedupe.ttl === undefined ? 'simple' : 'throttle');
  return { key: `${type}|${dedupe.key}`, mode, ...(dedupe.ttl !== undefined ? { ttl: dedupe.ttl } : {}) };
}
