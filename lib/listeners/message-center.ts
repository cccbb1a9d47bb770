import { Injectable } from '@nestjs/common';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio, MessagioClass } from '../message/messagio.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { assertListenerId, type OnMessagioOptions } from './listener-options.js';
import { ListenerRegistrar } from './listener.registrar.js';
import { ListenerRegistry, type ListenerHandler } from './listener.registry.js';
import { messageTypeList } from './message-types.js';

/** Options of `MessageCenter.subscribe`: listener options with a required id. */
export interface MessageCenterSubscribeOptions extends OnMessagioOptions {
  id: string;
}

/**
 * Subscribe plain functions at run time (messagio's `MessageCenter`). They get
 * the same deliveries, priorities and retries as `@OnMessagio` methods. In a
 * multi-process deployment, every process that consumes the queue must
 * subscribe the same ids, or its deliveries fail as "unknown listener".
 * @publicApi
 */
@Injectable()
export class MessageCenter {
  constructor(
    private readonly registrar: ListenerRegistrar,
    private readonly listeners: ListenerRegistry,
    private readonly types: MessageTypesRegistry,
  ) {}

  /** Subscribes `fn`; returns a function that unsubscribes it from every type. */
  subscribe<T extends Messagio>(
    types: MessagioClass<T> | MessagioClass<T>[],
    fn: (message: T, context: MessagioContext) => unknown,
    options: MessageCenterSubscribeOptions,
  ): () => void {
    const id = options?.id;
    assertListenerId(id, 'MessageCenter.subscribe');
    const where = `MessageCenter.subscribe("${id}")`;
    if (typeof fn !== 'function') throw new MessagioConfigurationError(`${where}: the listener must be a function.`);
    const list = messageTypeList(types, `${where}: give a message class or an array of them.`);
    this.registrar.register({ id, source: where, handler: fn as ListenerHandler }, [{ types: list, options }], where);
    return () => {
      this.listeners.remove(id);
    };
  }

  /** Unsubscribes listener `id` from `type`; false when it was not subscribed to it. */
  unsubscribe(type: MessagioClass, id: string): boolean {
    return this.listeners.remove(id, this.types.nameOf(type));
  }
}
