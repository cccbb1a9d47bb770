import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { isVersion } from './messagio-type.decorator.js';

/** Metadata key of `@MessagioUpcast`: version → its upcaster, on the class itself. */
const MESSAGIO_UPCASTERS_METADATA = 'messagio:upcasters';

/**
 * Turns the plain payload of one version of a message into the payload of the
 * next version. A pure function of stored JSON: it gets its own copy, and
 * returns a plain object (the same one, changed, or a new one).
 * @publicApi
 */
export type MessagioUpcaster = (payload: Record<string, unknown>) => Record<string, unknown>;

/**
 * Declares how a payload stored at version `fromVersion` becomes version
 * `fromVersion + 1`, next to the class it belongs to. A worker runs the chain
 * from a delivery's stored version up to the class's `@MessagioType` version
 * before it rebuilds and validates the message. A class at version n needs
 * one upcaster from each version 1 … n−1 (checked at bootstrap).
 *
 * ```ts
 * @MessagioType('orders.placed', { version: 2 })
 * @MessagioUpcast(1, ({ email, ...rest }) => ({ ...rest, customerEmail: email }))
 * export class OrderPlaced extends Messagio { ... }
 * ```
 * @publicApi
 */
export function MessagioUpcast(fromVersion: number, upcast: MessagioUpcaster): ClassDecorator {
  if (!isVersion(fromVersion)) {
    throw new MessagioConfigurationError(`@MessagioUpcast: the version upcast from must be a whole number ≥ 1, got ${String(fromVersion)}.`);
  }
  if (typeof upcast !== 'function') {
    throw new MessagioConfigurationError(`@MessagioUpcast(${fromVersion}, …): the upcaster must be a function (payload) => payload.`);
  }
  return (target) => {
    const own = (Reflect.getOwnMetadata(MESSAGIO_UPCASTERS_METADATA, target) as Map<number, MessagioUpcaster> | undefined) ?? new Map();
    if (own.has(fromVersion)) {
      throw new MessagioConfigurationError(`${target.name} has two @MessagioUpcast(${fromVersion}, …); keep one upcaster per version.`);
    }
    Reflect.defineMetadata(MESSAGIO_UPCASTERS_METADATA, new Map(own).set(fromVersion, upcast), target);
  };
}

/** The class's own upcasters by the version they upcast from (never a parent's). */
export function declaredUpcasters(cls: object): ReadonlyMap<number, MessagioUpcaster> {
  return (Reflect.getOwnMetadata(MESSAGIO_UPCASTERS_METADATA, cls) as Map<number, MessagioUpcaster> | undefined) ?? EMPTY;
}

const EMPTY: ReadonlyMap<number, MessagioUpcaster> = new Map();
