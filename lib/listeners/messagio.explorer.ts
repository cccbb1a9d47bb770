import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio } from '../message/messagio.js';
import { resolveDeliveryScope } from './delivery-scope.js';
import { ListenerContextCreator } from './listener-context.creator.js';
import { ListenerMetadataAccessor } from './listener-metadata.accessor.js';
import { ListenerRegistrar } from './listener.registrar.js';
import type { OnMessagioMetadata } from './on-messagio.decorator.js';

type Host = Record<string, (message: Messagio, context: MessagioContext) => unknown>;

/**
 * Finds every `@OnMessagio` method of every provider and controller once, at
 * module init (before any `onApplicationBootstrap` can fire), and hands it to
 * the registrar with a handler that calls it through Nest's DI and its
 * enhancers (`ListenerContextCreator`). First, it settles the delivery scope
 * (nestjs-cls, `propagate.restore`). Nothing is scanned or reflected per delivery.
 */
@Injectable()
export class MessagioExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    private readonly metadata: ListenerMetadataAccessor,
    private readonly registrar: ListenerRegistrar,
    private readonly contexts: ListenerContextCreator,
  ) {}

  async onModuleInit(): Promise<void> {
    this.registrar.useScope(await resolveDeliveryScope(this.moduleRef, this.registrar.settings.scope));
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    for (const wrapper of wrappers) {
      const prototype = this.prototypeOf(wrapper);
      if (!prototype || seen.has(wrapper.token as object)) continue;
      seen.add(wrapper.token as object);
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const metadata = this.metadata.metadataOf(prototype[methodName]);
        if (metadata) this.register(wrapper, prototype, methodName, metadata);
      }
    }
  }

  private prototypeOf(wrapper: InstanceWrapper): Host | undefined {
    const { instance, metatype } = wrapper;
    if (wrapper.isDependencyTreeStatic()) {
      return instance ? (Object.getPrototypeOf(instance) as Host) : undefined;
    }
    // Request-scoped / transient: no instance yet, read the class.
    return typeof metatype === 'function' ? (metatype.prototype as Host) : undefined;
  }

  private register(wrapper: InstanceWrapper, prototype: Host, methodName: string, metadata: OnMessagioMetadata[]): void {
    const className = (wrapper.metatype as { name?: string } | undefined)?.name ?? String(wrapper.name);
    const source = `${className}.${methodName}`;
    const id = this.metadata.listenerIdOf(metadata, source);
    const handler = this.contexts.create(wrapper, methodName, id, prototype);
    this.registrar.register({ id, source, handler }, metadata, `Listener "${id}"`);
  }
}
