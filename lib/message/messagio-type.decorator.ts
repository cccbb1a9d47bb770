import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { Messagio, MessagioClass } from './messagio.js';

/** Metadata key of `@MessagioType`, namespaced so it never collides with other libraries'. */
const MESSAGIO_TYPE_METADATA = 'messagio:type';

/**
 * Give a message class a stable wire name, independent of the class name (which
 * minifiers and refactors change). Without it the wire name is the class name.
 *
 * ```ts
 * @MessagioType('orders.perform-action')
 * export class PerformAction extends Messagio { ... }
 * ```
 * @publicApi
 */
export function MessagioType(name: string): ClassDecorator {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new MessagioConfigurationError('@MessagioType needs a non-empty string name.');
  }
  return (target) => {
    Reflect.defineMetadata(MESSAGIO_TYPE_METADATA, name, target);
  };
}

/** The wire name of a class: its own `@MessagioType`, never a parent's, else its class name. */
export function wireNameOf(cls: MessagioClass<Messagio> | (abstract new (...args: never[]) => unknown)): string {
  return (Reflect.getOwnMetadata(MESSAGIO_TYPE_METADATA, cls) as string | undefined) ?? cls.name;
}
