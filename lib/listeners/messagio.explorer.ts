import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ContextIdFactory, DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { MESSAGIO_LISTENER_METADATA, MESSAGIO_MODULE_OPTIONS } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { ResolvedMessagioOptions } from '../messagio.options.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio } from '../message/messagio.js';
import { assertListenerId, resolveListenerOptions } from './listener-options.js';
import { queueFor } from '../delivery/queue-routing.js';
import { wireNameOf } from '../message/messagio-type.decorator.js';
import { ListenerRegistry, type ListenerHandler, type Subscription } from './listener.registry.js';
import type { OnMessagioMetadata } from './on-messagio.decorator.js';

/**
 * Finds every `@OnMessagio` method of every provider and controller once, at
 * module init (before any `onApplicationBootstrap` can fire), and registers it.
 * Nothing is scanned or reflected per delivery.
 */
@Injectable()
export class MessagioExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    private readonly listeners: ListenerRegistry,
    @Inject(MESSAGIO_MODULE_OPTIONS) private readonly options: ResolvedMessagioOptions,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    for (const wrapper of wrappers) {
      const prototype = this.prototypeOf(wrapper);
      if (!prototype || seen.has(wrapper.token as object)) continue;
      seen.add(wrapper.token as object);
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const metadata = Reflect.getMetadata(MESSAGIO_LISTENER_METADATA, prototype[methodName]) as OnMessagioMetadata[] | undefined;
        if (metadata?.length) this.register(wrapper, methodName, metadata);
      }
    }
  }

  private prototypeOf(wrapper: InstanceWrapper): Record<string, object> | undefined {
    const { instance, metatype } = wrapper;
    if (wrapper.isDependencyTreeStatic()) {
      return instance ? (Object.getPrototypeOf(instance) as Record<string, object>) : undefined;
    }
    // Request-scoped / transient: no instance yet, read the class.
    return typeof metatype === 'function' ? (metatype.prototype as Record<string, object>) : undefined;
  }

  private register(wrapper: InstanceWrapper, methodName: string, metadata: OnMessagioMetadata[]): void {
    const className = (wrapper.metatype as { name?: string } | undefined)?.name ?? String(wrapper.name);
    const source = `${className}.${methodName}`;
    const ids = new Set(metadata.map((m) => m.options.id).filter((id) => id !== undefined));
    if (ids.size > 1) {
      throw new MessagioConfigurationError(`${source} carries several @OnMessagio with different ids (${[...ids].join(', ')}); a method is one listener.`);
    }
    const id = ids.size === 1 ? [...ids][0]! : source;
    assertListenerId(id, `@OnMessagio on ${source}`);
    const subscriptions: Subscription[] = metadata.flatMap(({ types, options }) =>
      types.map((cls) => ({
        cls,
        options: {
          ...resolveListenerOptions(id, options, this.options.defaultListenerOptions),
          queue: queueFor(wireNameOf(cls), options.queue, this.options.routing, `Listener "${id}"`),
        },
      })),
    );
    this.listeners.add({ id, source, handler: this.handlerFor(wrapper, methodName) }, subscriptions);
  }

  private handlerFor(wrapper: InstanceWrapper, methodName: string): ListenerHandler {
    if (wrapper.isDependencyTreeStatic()) {
      const instance = wrapper.instance as Record<string, (m: Messagio, c: MessagioContext) => unknown>;
      return (message, context) => instance[methodName]!(message, context);
    }
    // Request-scoped or durable: each delivery gets its own DI context, as a request would.
    return async (message, context) => {
      const contextId = ContextIdFactory.getByRequest(context);
      this.moduleRef.registerRequestByContextId(context, contextId);
      const instance = (await this.moduleRef.resolve(wrapper.token, contextId, { strict: false })) as Record<
        string,
        (m: Messagio, c: MessagioContext) => unknown
      >;
      return instance[methodName]!(message, context);
    };
  }
}
