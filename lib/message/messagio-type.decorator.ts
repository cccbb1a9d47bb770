import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { declareMessageClass } from './declared-message-classes.js';
import type { Messagio, MessagioClass } from './messagio.js';

/** Metadata keys of `@MessagioType`, namespaced so they never collide with other libraries'. */
const MESSAGIO_TYPE_METADATA = 'messagio:type';
const MESSAGIO_VERSION_METADATA = 'messagio:version';

/**
 * Options of `@MessagioType`.
 * @publicApi
 */
export interface MessagioTypeOptions {
  /**
   * Version of the message's schema: raise it on a breaking change, with an
   * `@MessagioUpcast` from the previous version. Every delivery carries it;
   * a worker upcasts an older payload to its own version before rebuilding it.
   * @default 1
   */
  version?: number;
}

/**
 * Give a message class a stable wire name, independent of the class name (which
 * minifiers and refactors change), and optionally a schema version. Without it
 * the wire name is the class name and the version 1.
 *
 * ```ts
 * @MessagioType('orders.perform-action', { version: 2 })
 * export class PerformAction extends Messagio { ... }
 * ```
 * @publicApi
 */
export function MessagioType(name: string, options: MessagioTypeOptions = {}): ClassDecorator {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new MessagioConfigurationError('@MessagioType needs a non-empty string name.');
  }
  const version = options?.version;
  if (version !== undefined && !isVersion(version)) {
    throw new MessagioConfigurationError(`@MessagioType('${name}'): version must be a whole number ≥ 1, got ${String(version)}.`);
  }
  return (target) => {
    Reflect.defineMetadata(MESSAGIO_TYPE_METADATA, name, target);
    if (version !== undefined) Reflect.defineMetadata(MESSAGIO_VERSION_METADATA, version, target);
    declareMessageClass(target);
  };
}

/** The wire name of a class: its own `@MessagioType`, never a parent's, else its class name. */
export function wireNameOf(cls: MessagioClass<Messagio> | (abstract new (...args: never[]) => unknown)): string {
  return (Reflect.getOwnMetadata(MESSAGIO_TYPE_METADATA, cls) as string | undefined) ?? cls.name;
}

/** The schema version of a class: its own `@MessagioType(name, { version })`, else 1 (as an envelope without one). */
export function messageVersionOf(cls: object): number {
  return (Reflect.getOwnMetadata(MESSAGIO_VERSION_METADATA, cls) as number | undefined) ?? 1;
}

/** True when the class's own `@MessagioType` gives a version (the startup report names those that do not). */
export function declaresVersion(cls: object): boolean {
  return Reflect.hasOwnMetadata(MESSAGIO_VERSION_METADATA, cls);
}

/** A schema version: a whole number ≥ 1. */
export function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
