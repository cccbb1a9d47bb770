import type { MessagioClass } from '../message/messagio.js';
import { defineListenerArguments } from './listener-arguments.js';
import type { OnMessagioOptions } from './listener-options.js';
import { messageTypeList } from './message-types.js';

/** Metadata key of `@OnMessagio`, namespaced so it never collides with other libraries'. */
export const MESSAGIO_LISTENER_METADATA = 'messagio:listener';

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
  const list = messageTypeList(types, '@OnMessagio needs a message class or a non-empty array of message classes.');
  const options: OnMessagioOptions =
    typeof priorityOrOptions === 'number' ? { priority: priorityOrOptions } : { ...(priorityOrOptions ?? {}) };
  return (target, key, descriptor) => {
    const method = descriptor.value as object;
    // (message, context) as parameters, for enhancers: pipes transform the message.
    defineListenerArguments(target, key);
    const existing = (Reflect.getMetadata(MESSAGIO_LISTENER_METADATA, method) as OnMessagioMetadata[] | undefined) ?? [];
    // Decorators apply bottom-up; unshift keeps them in source order.
    Reflect.defineMetadata(MESSAGIO_LISTENER_METADATA, [{ types: list, options }, ...existing], method);
    return descriptor;
  };
}
