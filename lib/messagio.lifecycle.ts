import type { OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { DeliveryRunner } from './delivery/delivery.runner.js';
import type { MessagioDispatcher } from './delivery/dispatcher.js';
import type { MessagioObserver, MessagioObservers } from './delivery/messagio-observer.js';
import type { MessagioPublisher } from './delivery/messagio.publisher.js';
import type { MessagioScheduler } from './delivery/messagio-scheduler.js';
import { pushDefaultPublisher, removeDefaultPublisher } from './message/default-publisher.js';
import type { MessagioTransport } from './transports/messagio-transport.interface.js';

/** What the lifecycle reads of the module options. */
export interface LifecycleSettings {
  /** Observers given as module options. */
  observers: readonly MessagioObserver[];
  /** False for a publish-only process (`worker: false`): its transport never consumes. */
  consumes: boolean;
}

/**
 * Starts consuming once every listener is discovered (module init is done)
 * and the declared schedules are upserted,
 * and on `app.close()` stops taking work and waits for deliveries in flight
 * before the queue and its connections are closed. Listeners in flight keep
 * firing through this app until they finish.
 */
export class MessagioLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly publisher: MessagioPublisher,
    private readonly dispatcher: MessagioDispatcher,
    private readonly runner: DeliveryRunner,
    private readonly observers: MessagioObservers,
    private readonly transport: MessagioTransport,
    private readonly scheduler: MessagioScheduler,
    private readonly settings: LifecycleSettings,
  ) {}

  onModuleInit(): void {
    for (const observer of this.settings.observers) this.observers.add(observer);
    this.dispatcher.useForNestedFires(this.publisher);
    pushDefaultPublisher(this.publisher);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every instance upserts the declared schedules (idempotent), then consumes (their ticks included).
    await this.scheduler.upsertDeclared();
    if (!this.settings.consumes) return;
    await this.transport.start(this.runner.handle, this.scheduler.tick);
  }

  async onModuleDestroy(): Promise<void> {
    // Close first: the transport waits for the listeners in flight, which may
    // still fire (message.fire() finds this app through the delivery's async
    // context, the injected publisher is this one). Only then detach.
    try {
      await this.transport.close();
    } finally {
      this.publisher.markClosed();
      removeDefaultPublisher(this.publisher);
    }
  }
}
