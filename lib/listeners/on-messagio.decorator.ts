import { MESSAGIO_LISTENER_METADATA } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { OnMessagioOptions } from '../interfaces/messagio-listener-options.interface.js';
import type { MessagioClass } from '../message/messagio.js';

/** One `@OnMessagio` on a method, as stored in its metadata. */
export interface OnMessagioMetadata {
  types: MessagioClass[];
  options: OnMessagioOptions;
}

/**
 * Subscribe a provider or controller method to one or more message types. The
 * method is called through Nest's DI instance as `(message, context)`.
 *
 * ```ts
 * @OnMessagio(PerformAction, 10)                           // priority 10
 * @OnMessagio([PerformAction, ActionPerformed], { maxRetries: 3, retryOn: [TimeoutError] })
 * ```
 * A method may carry several `@OnMessagio`; they form one listener (one id)
 * whose options are those of the decorator naming each type.
 * @publicApi
 */
export function OnMessagio(types: MessagioClass | MessagioClass[], priorityOrOptions?: number | OnMessagioOptions): MethodDecorator {
  const list = Array.isArray(types) ? types : [types];
  if (list.length === 0 || list.some((t) => typeof t !== 'function')) {
    throw new MessagioConfigurationError('@OnMessagio needs a message class or a non-empty array of message classes.');
  }
  const options: OnMessagioOptions =
    typeof priorityOrOptions === 'number' ? { priority: priorityOrOptions } : { ...(priorityOrOptions ?? {}) };
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(MESSAGIO_LISTENER_METADATA, method) as OnMessagioMetadata[] | undefined) ?? [];
    // Decorators apply bottom-up; unshift keeps them in source order.
    Reflect.defineMetadata(MESSAGIO_LISTENER_METADATA, [{ types: list, options }, ...existing], method);
    return descriptor;
  };
}
