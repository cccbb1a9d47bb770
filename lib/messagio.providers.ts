import { Scope, type Provider } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { DeliveryFactory } from './delivery/delivery.factory.js';
import { DeliveryRunner } from './delivery/delivery.runner.js';
import { MessagioDispatcher } from './delivery/dispatcher.js';
import { MessagioFaultReporter } from './delivery/fault.reporter.js';
import { MessagioAdmin } from './delivery/messagio-admin.js';
import { MessagioObservers } from './delivery/messagio-observer.js';
import { MessagioPublisher } from './delivery/messagio.publisher.js';
import { MessagioScheduler } from './delivery/messagio-scheduler.js';
import { DeclaredSchedules } from './listeners/declared-schedules.js';
import type { OutboxPort } from './delivery/outbox-port.js';
import type { InboxPort } from './contract/inbox-port.js';
import { ListenerContextCreator } from './listeners/listener-context.creator.js';
import { ListenerMetadataAccessor } from './listeners/listener-metadata.accessor.js';
import { ListenerRegistrar } from './listeners/listener.registrar.js';
import { ListenerRegistry } from './listeners/listener.registry.js';
import { MessageCenter } from './listeners/message-center.js';
import { MessagioExplorer } from './listeners/messagio.explorer.js';
import { StartupReport } from './listeners/startup-report.js';
import { MessagioContext, currentMessagioContext } from './message/messagio-context.js';
import { MessageTypesRegistry } from './message/message-types.registry.js';
import { bootsForContractsOnly } from './messagio-boot-mode.js';
import { MessagioLifecycle } from './messagio.lifecycle.js';
import {
  MESSAGIO_CLOCK,
  MESSAGIO_INBOX,
  MESSAGIO_MODULE_OPTIONS,
  MESSAGIO_OUTBOX,
  MESSAGIO_RESOLVED_OPTIONS,
  MESSAGIO_TESTING_OPTIONS,
  MESSAGIO_TRANSPORT,
  MESSAGIO_TRANSPORT_KIND,
  MESSAGIO_WORKER,
} from './messagio.constants.js';
import {
  checkDeclaredTransport,
  resolveMessagioOptions,
  type MessagioModuleOptions,
  type ResolvedMessagioOptions,
  type TransportKind,
} from './messagio-options.js';
import type { MessagioClock } from './transports/clock.js';
import { MemoryTransport } from './transports/memory/memory.transport.js';
import type { MessagioTransport } from './transports/messagio-transport.interface.js';
import { SyncTransport } from './transports/sync.transport.js';

// Provider factories: the only place that reads the resolved options. Each
// class gets exactly the slice (or the part of it) it uses, as constructor
// parameters; the rooms below never inject by token.

const RESOLVED = MESSAGIO_RESOLVED_OPTIONS;

/** The module options, resolved once: the app's forRoot() options, overlaid by the testing module's when it replaced the transport. */
export const optionsProviders: Provider[] = [
  {
    provide: MESSAGIO_RESOLVED_OPTIONS,
    useFactory: (given?: MessagioModuleOptions, testing?: MessagioModuleOptions, declared?: TransportKind): ResolvedMessagioOptions => {
      if (bootsForContractsOnly()) return resolveMessagioOptions({ ...(given ?? {}), ...(testing ?? {}), transport: 'memory', worker: false });
      if (given && declared) checkDeclaredTransport(declared, given);
      return resolveMessagioOptions({ ...(given ?? {}), ...(testing ?? {}) });
    },
    inject: [
      { token: MESSAGIO_MODULE_OPTIONS, optional: true },
      { token: MESSAGIO_TESTING_OPTIONS, optional: true },
      { token: MESSAGIO_TRANSPORT_KIND, optional: true },
    ],
  },
  { provide: MESSAGIO_WORKER, useFactory: (o: ResolvedMessagioOptions) => o.worker, inject: [RESOLVED] },
];

/** Registries and discovery. */
export const listenerProviders: Provider[] = [
  {
    // The `messages` option's classes are known from the start: a name conflict or a missing upcaster fails bootstrap.
    provide: MessageTypesRegistry,
    useFactory: (o: ResolvedMessagioOptions) => {
      const types = new MessageTypesRegistry();
      for (const cls of o.report.messages) types.register(cls);
      return types;
    },
    inject: [RESOLVED],
  },
  { provide: ListenerRegistry, useFactory: (types: MessageTypesRegistry) => new ListenerRegistry(types), inject: [MessageTypesRegistry] },
  {
    provide: ListenerRegistrar,
    useFactory: (listeners: ListenerRegistry, o: ResolvedMessagioOptions, inbox?: InboxPort) => new ListenerRegistrar(listeners, o.listeners, inbox ?? undefined),
    inject: [ListenerRegistry, RESOLVED, { token: MESSAGIO_INBOX, optional: true }],
  },
  ListenerMetadataAccessor,
  ListenerContextCreator,
  { provide: DeclaredSchedules, useFactory: () => new DeclaredSchedules() },
  MessagioExplorer,
  MessageCenter,
  {
    provide: StartupReport,
    useFactory: (types: MessageTypesRegistry, listeners: ListenerRegistry, o: ResolvedMessagioOptions) => new StartupReport(types, listeners, o.report),
    inject: [MessageTypesRegistry, ListenerRegistry, RESOLVED],
  },
];

/** The path of a message: factory, publisher, sync transport, runner, dispatcher, fault reporter; the scheduler and the admin. */
export const deliveryProviders: Provider[] = [
  MessagioObservers,
  {
    provide: MessagioDispatcher,
    useFactory: (types: MessageTypesRegistry, listeners: ListenerRegistry, observers: MessagioObservers, o: ResolvedMessagioOptions) =>
      new MessagioDispatcher(types, listeners, observers, o.pipeline),
    inject: [MessageTypesRegistry, ListenerRegistry, MessagioObservers, RESOLVED],
  },
  {
    provide: DeliveryFactory,
    useFactory: (types: MessageTypesRegistry, listeners: ListenerRegistry, o: ResolvedMessagioOptions) => new DeliveryFactory(types, listeners, o.pipeline),
    inject: [MessageTypesRegistry, ListenerRegistry, RESOLVED],
  },
  {
    // Sync-mode retry waits; the testing module provides a virtual clock.
    provide: SyncTransport,
    useFactory: (clock?: MessagioClock) => new SyncTransport(clock),
    inject: [{ token: MESSAGIO_CLOCK, optional: true }],
  },
  {
    provide: MessagioPublisher,
    useFactory: (factory: DeliveryFactory, observers: MessagioObservers, transport: MessagioTransport, sync: SyncTransport, outbox?: OutboxPort) =>
      new MessagioPublisher(factory, observers, transport, sync, outbox ?? undefined),
    inject: [DeliveryFactory, MessagioObservers, MESSAGIO_TRANSPORT, SyncTransport, { token: MESSAGIO_OUTBOX, optional: true }],
  },
  {
    provide: MessagioFaultReporter,
    useFactory: (publisher: MessagioPublisher, listeners: ListenerRegistry, o: ResolvedMessagioOptions) =>
      new MessagioFaultReporter(publisher, listeners, o.pipeline.maxPayloadBytes),
    inject: [MessagioPublisher, ListenerRegistry, RESOLVED],
  },
  {
    // The sync transport runs through the runner from the start (a sync fire
    // needs no consuming process). The runner reports faults through the
    // publisher, which holds the sync transport: so it is handed over here.
    provide: DeliveryRunner,
    useFactory: (dispatcher: MessagioDispatcher, faults: MessagioFaultReporter, sync: SyncTransport) => {
      const runner = new DeliveryRunner(dispatcher, faults);
      sync.start(runner.handle);
      return runner;
    },
    inject: [MessagioDispatcher, MessagioFaultReporter, SyncTransport],
  },
  {
    provide: MessagioScheduler,
    useFactory: (publisher: MessagioPublisher, transport: MessagioTransport, faults: MessagioFaultReporter, declared: DeclaredSchedules) =>
      new MessagioScheduler(publisher, transport, faults, declared),
    inject: [MessagioPublisher, MESSAGIO_TRANSPORT, MessagioFaultReporter, DeclaredSchedules],
  },
  {
    provide: MessagioAdmin,
    useFactory: (listeners: ListenerRegistry, transport: MessagioTransport, outbox?: OutboxPort) => new MessagioAdmin(listeners, transport, outbox ?? undefined),
    inject: [ListenerRegistry, MESSAGIO_TRANSPORT, { token: MESSAGIO_OUTBOX, optional: true }],
  },
  {
    provide: MessagioLifecycle,
    useFactory: (
      publisher: MessagioPublisher,
      dispatcher: MessagioDispatcher,
      runner: DeliveryRunner,
      observers: MessagioObservers,
      transport: MessagioTransport,
      scheduler: MessagioScheduler,
      o: ResolvedMessagioOptions,
      report: StartupReport,
    ) => new MessagioLifecycle(publisher, dispatcher, runner, observers, transport, scheduler, {
        observers: o.pipeline.observers,
        consumes: o.worker.enabled,
        connectTimeout: o.startup.connectTimeout,
        report,
      }),
    inject: [MessagioPublisher, MessagioDispatcher, DeliveryRunner, MessagioObservers, MESSAGIO_TRANSPORT, MessagioScheduler, RESOLVED, StartupReport],
  },
  {
    // Injectable in request-scoped and durable listener providers: each delivery
    // is resolved in a DI context of its own, whose "request" is its MessagioContext.
    provide: MessagioContext,
    scope: Scope.REQUEST,
    useFactory: (request: unknown) => (request instanceof MessagioContext ? request : (currentMessagioContext() ?? null)),
    inject: [REQUEST],
  },
];

/** The transport of `transport: 'memory'` or of a custom `MessagioTransport` (the BullMQ one is MessagioModule's). */
export function transportProvider(kind: Exclude<TransportKind, 'bullmq'>): Provider {
  return {
    provide: MESSAGIO_TRANSPORT,
    useFactory: (o: ResolvedMessagioOptions): MessagioTransport =>
      kind === 'custom' ? (o.transport as MessagioTransport) : new MemoryTransport(o.memory),
    inject: [RESOLVED],
  };
}
