import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeliveryFactory } from './delivery/delivery.factory.js';
import { MessagioDispatcher } from './delivery/dispatcher.js';
import { MessagioAdmin } from './delivery/messagio-admin.js';
import { MessagioObservers } from './delivery/messagio-observer.js';
import { MessagioPublisher } from './delivery/messagio.publisher.js';
import { MessagioScheduler } from './delivery/messagio-scheduler.js';
import { ListenerRegistry } from './listeners/listener.registry.js';
import { MessageCenter } from './listeners/message-center.js';
import { MessagioContext } from './message/messagio-context.js';
import { MessageTypesRegistry } from './message/message-types.registry.js';
import { MESSAGIO_RESOLVED_OPTIONS, MESSAGIO_WORKER } from './messagio.constants.js';
import { deliveryProviders, listenerProviders, optionsProviders } from './messagio.providers.js';

/**
 * The path of a message, whatever carries it: options, registries,
 * discovery, publisher, sync transport, runner, dispatcher, fault reporter,
 * scheduler, admin, lifecycle. Imported by the root module `MessagioModule.forRoot()`
 * returns, by `MessagioModule` (the BullMQ transport) and by
 * `MessagioTestingModule`; the transport (MESSAGIO_TRANSPORT) comes from
 * whichever of them is in the app. Internal: apps import `MessagioModule.forRoot()`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [...optionsProviders, ...listenerProviders, ...deliveryProviders],
  exports: [
    MESSAGIO_RESOLVED_OPTIONS,
    MESSAGIO_WORKER,
    MessageTypesRegistry,
    ListenerRegistry,
    MessagioDispatcher,
    DeliveryFactory,
    MessagioPublisher,
    MessagioObservers,
    MessageCenter,
    MessagioAdmin,
    MessagioScheduler,
    MessagioContext,
  ],
})
export class MessagioPipelineModule {}
