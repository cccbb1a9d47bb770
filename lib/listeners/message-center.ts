import { Inject, Injectable } from '@nestjs/common';
import { MESSAGIO_MODULE_OPTIONS } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { OnMessagioOptions } from '../interfaces/messagio-listener-options.interface.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { ResolvedMessagioOptions } from '../messagio.options.js';
import type { Messagio, MessagioClass } from '../message/messagio.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { assertListenerId, resolveListenerOptions } from './listener-options.js';
import { queueFor } from '../delivery/queue-routing.js';
import { wireNameOf } from '../message/messagio-type.decorator.js';
import { ListenerRegistry } from './listener.registry.js';

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
    private readonly listeners: ListenerRegistry,
    private readonly types: MessageTypesRegistry,
    @Inject(MESSAGIO_MODULE_OPTIONS) private readonly options: ResolvedMessagioOptions,
  ) {}

  /** Subscribes `fn`; returns a function that unsubscribes it from every type. */
  subscribe<T extends Messagio>(
    types: MessagioClass<T> | MessagioClass<T>[],
    fn: (message: T, context: MessagioContext) => unknown,
    options: MessageCenterSubscribeOptions,
  ): () => void {
    const id = options?.id;
    assertListenerId(id, 'MessageCenter.subscribe');
    if (typeof fn !== 'function') throw new MessagioConfigurationError(`MessageCenter.subscribe("${id}"): the listener must be a function.`);
    const list = Array.isArray(types) ? types : [types];
    if (list.length === 0 || list.some((t) => typeof t !== 'function')) {
      throw new MessagioConfigurationError(`MessageCenter.subscribe("${id}"): give a message class or an array of them.`);
    }
    const resolved = resolveListenerOptions(id, options, this.options.defaultListenerOptions);
    this.listeners.add(
      { id, source: `MessageCenter.subscribe("${id}")`, handler: fn as (m: Messagio, c: MessagioContext) => unknown },
      list.map((cls) => ({ cls, options: { ...resolved, queue: queueFor(wireNameOf(cls), options.queue, this.options.routing, `MessageCenter.subscribe("${id}")`) } })),
    );
    return () => {
      this.listeners.remove(id);
    };
  }

  /** Unsubscribes listener `id` from `type`; false when it was not subscribed to it. */
  unsubscribe(type: MessagioClass, id: string): boolean {
    return this.listeners.remove(id, this.types.nameOf(type));
  }
}
