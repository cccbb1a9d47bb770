import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioEnvelopeError } from '../errors/messagio-envelope.error.js';
import { declaredUpcasters, type MessagioUpcaster } from './messagio-upcast.decorator.js';

/**
 * The upcasters of a class at `version`, checked once at bootstrap: element
 * `i` turns version i+1 into i+2. Throws `MessagioConfigurationError` for a
 * missing step (a delivery stored at that version could never be read) or an
 * upcaster from a version that is not older than the class's.
 */
export function upcastChainOf(cls: { name: string }, type: string, version: number): readonly MessagioUpcaster[] {
  const declared = declaredUpcasters(cls);
  const where = `${cls.name} (${type}, version ${version})`;
  const stray = [...declared.keys()].filter((from) => from >= version).sort((a, b) => a - b);
  if (stray.length > 0) {
    throw new MessagioConfigurationError(
      `${where} has @MessagioUpcast(${stray.join(', ')}, …): an upcaster turns version n into n + 1, so n must be below ${version}. ` +
        'Raise the version in @MessagioType, or remove the upcaster.',
    );
  }
  const chain: MessagioUpcaster[] = [];
  const missing: number[] = [];
  for (let from = 1; from < version; from++) {
    const step = declared.get(from);
    if (step) chain.push(step);
    else missing.push(from);
  }
  if (missing.length > 0) {
    throw new MessagioConfigurationError(
      `${where} has no @MessagioUpcast(${missing.join(', ')}, …): a delivery stored at version ${missing[0]} could not be read. ` +
        `Declare an upcaster from each older version (1 to ${version - 1}) on the class.`,
    );
  }
  return chain;
}

/**
 * A stored payload of version `from` as the class's current version (`chain.length + 1`):
 * each upcaster in turn, on a copy (the stored payload stays as stored, for
 * faults and observers). Throws `MessagioEnvelopeError`:
 * `unsupported-message-version` for a version newer than this process knows,
 * `upcast-failed` when an upcaster throws or returns something else than a
 * plain object. Both are final: the delivery fails without retries.
 */
export function upcastPayload(type: string, chain: readonly MessagioUpcaster[], payload: Record<string, unknown>, from: number): Record<string, unknown> {
  const current = chain.length + 1;
  if (from > current) {
    throw new MessagioEnvelopeError(
      'unsupported-message-version',
      `${type} version ${from} is newer than this process knows (version ${current}): its payload may not fit this class. ` +
        `Deploy the class's version ${from} on this worker, then replay the failed delivery (MessagioAdmin.retry); ` +
        'upgrade the workers before the producers that fire a new version.',
    );
  }
  let upcast = structuredClone(payload);
  for (let version = from; version < current; version++) {
    let next: unknown;
    try {
      next = chain[version - 1]!(upcast);
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : 'a non-Error value was thrown';
      throw new MessagioEnvelopeError('upcast-failed', `Upcasting ${type} from version ${version} to ${version + 1} failed (${why}).`, { cause: error });
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new MessagioEnvelopeError(
        'upcast-failed',
        `The upcaster of ${type} from version ${version} returned ${next === null ? 'null' : Array.isArray(next) ? 'an array' : typeof next}, not a payload object.`,
      );
    }
    upcast = next as Record<string, unknown>;
  }
  return upcast;
}
