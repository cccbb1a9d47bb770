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
  /** `failFast`: milliseconds `app.init()` waits for the transport to be ready; `undefined`: no check. */
  connectTimeout: number | undefined;
  /** The startup report, run when every listener is registered, before consuming. */
  report: { run(): void };
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

  async onModuleInit(): Promise<void> {
    // failFast: an app whose transport cannot store anything does not start.
    const { connectTimeout } = this.settings;
    if (connectTimeout !== undefined) await this.transport.waitUntilReady?.(connectTimeout);
    for (const observer of this.settings.observers) this.observers.add(observer);
    this.dispatcher.useForNestedFires(this.publisher);
    pushDefaultPublisher(this.publisher);
    // Discovery has run: the explorer's onModuleInit comes first (Nest calls the hooks of a
    // module's providers by dependency depth, and in registration order: it is the shallower, and registered first).
    this.publisher.markInitialised();
  }

  async onApplicationBootstrap(): Promise<void> {
    // Listeners subscribed in other modules' onModuleInit are registered by now; strict fails here, before any job is taken.
    this.settings.report.run();
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
