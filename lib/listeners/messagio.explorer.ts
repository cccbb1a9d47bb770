import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio } from '../message/messagio.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { DeclaredSchedules } from './declared-schedules.js';
import { resolveDeliveryScope } from './delivery-scope.js';
import { ListenerContextCreator } from './listener-context.creator.js';
import { ListenerMetadataAccessor } from './listener-metadata.accessor.js';
import { ListenerRegistrar } from './listener.registrar.js';
import { scheduleMetadataOf, type MessagioScheduleMetadata } from './messagio-schedule.decorator.js';
import type { OnMessagioMetadata } from './on-messagio.decorator.js';

type Host = Record<string, (message: Messagio, context: MessagioContext) => unknown>;

/**
 * Finds every `@OnMessagio` method of every provider and controller once, at
 * module init (before any `onApplicationBootstrap` can fire), and hands it to
 * the registrar with a handler that calls it through Nest's DI and its
 * enhancers (`ListenerContextCreator`); and every `@MessagioSchedule` method,
 * for the scheduler. First, it settles the delivery scope (nestjs-cls,
 * `propagate.restore`). Nothing is scanned or reflected per delivery.
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
    private readonly schedules: DeclaredSchedules,
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
        const schedules = scheduleMetadataOf(prototype[methodName]);
        if (schedules) this.declare(wrapper, methodName, schedules);
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

  private declare(wrapper: InstanceWrapper, methodName: string, schedules: MessagioScheduleMetadata[]): void {
    const source = `${(wrapper.metatype as { name?: string } | undefined)?.name ?? String(wrapper.name)}.${methodName}`;
    if (!wrapper.isDependencyTreeStatic() || !wrapper.instance) {
      throw new MessagioConfigurationError(`@MessagioSchedule on ${source}: a schedule's method must be on a singleton provider (a tick has no request).`);
    }
    const instance = wrapper.instance as Record<string, () => Messagio | Promise<Messagio>>;
    for (const { id, spec } of schedules) this.schedules.add({ id, spec, source, factory: () => instance[methodName]!() });
  }
}
