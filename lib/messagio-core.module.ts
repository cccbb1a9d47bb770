import { Module, Scope } from '@nestjs/common';
import { DiscoveryModule, REQUEST } from '@nestjs/core';
import {
  MESSAGIO_HOST_OPTIONS,
  MESSAGIO_MODULE_OPTIONS,
  MESSAGIO_TESTING_OPTIONS,
} from './messagio.constants.js';
import type { MessagioModuleOptions } from './interfaces/messagio-module-options.interface.js';
import { resolveMessagioOptions, type ResolvedMessagioOptions } from './messagio.options.js';
import { MessagioLifecycle } from './messagio.lifecycle.js';
import { MessagioDispatcher } from './delivery/dispatcher.js';
import { MessagioPublisher } from './delivery/messagio.publisher.js';
import { MessagioFaultReporter } from './delivery/fault.reporter.js';
import { MessagioAdmin } from './delivery/messagio-admin.js';
import { MessagioObservers } from './delivery/messagio-observer.js';
import { MessagioContext, currentMessagioContext } from './message/messagio-context.js';
import { ListenerRegistry } from './listeners/listener.registry.js';
import { ListenerMetadataAccessor } from './listeners/listener-metadata.accessor.js';
import { ListenerRegistrar } from './listeners/listener.registrar.js';
import { MessageCenter } from './listeners/message-center.js';
import { MessagioExplorer } from './listeners/messagio.explorer.js';
import { MessageTypesRegistry } from './message/message-types.registry.js';

/**
 * The transport-independent part of the library: registries, discovery,
 * dispatcher, publisher, fault reporter. Imported by `MessagioModule.forRoot()` and by
 * `MessagioTestingModule`; the transport comes from whichever of them is in
 * the app. Internal: apps import `MessagioModule.forRoot()`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      // Options of forRoot(), overlaid by the testing module's when it replaces the transport.
      provide: MESSAGIO_MODULE_OPTIONS,
      useFactory: (host?: MessagioModuleOptions, testing?: MessagioModuleOptions) =>
        resolveMessagioOptions({ ...(host ?? {}), ...(testing ?? {}) }),
      inject: [
        { token: MESSAGIO_HOST_OPTIONS, optional: true },
        { token: MESSAGIO_TESTING_OPTIONS, optional: true },
      ],
    },
    MessageTypesRegistry,
    {
      provide: ListenerRegistry,
      useFactory: (types: MessageTypesRegistry) => new ListenerRegistry(types),
      inject: [MessageTypesRegistry],
    },
    {
      provide: ListenerRegistrar,
      useFactory: (listeners: ListenerRegistry, options: ResolvedMessagioOptions) =>
        new ListenerRegistrar(listeners, { defaults: options.defaultListenerOptions, routing: options.routing }),
      inject: [ListenerRegistry, MESSAGIO_MODULE_OPTIONS],
    },
    ListenerMetadataAccessor,
    MessagioExplorer,
    MessagioObservers,
    MessagioDispatcher,
    MessagioPublisher,
    MessagioFaultReporter,
    MessageCenter,
    MessagioAdmin,
    MessagioLifecycle,
    {
      // Injectable in request-scoped and durable listener providers: each delivery
      // is resolved in a DI context of its own, whose "request" is its MessagioContext.
      provide: MessagioContext,
      scope: Scope.REQUEST,
      useFactory: (request: unknown) => (request instanceof MessagioContext ? request : (currentMessagioContext() ?? null)),
      inject: [REQUEST],
    },
  ],
  exports: [
    MESSAGIO_MODULE_OPTIONS,
    MessageTypesRegistry,
    ListenerRegistry,
    MessagioDispatcher,
    MessagioPublisher,
    MessagioObservers,
    MessageCenter,
    MessagioAdmin,
    MessagioContext,
  ],
})
export class MessagioCoreModule {}
