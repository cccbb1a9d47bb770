import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { MESSAGIO_MODULE_OPTIONS, MESSAGIO_TRANSPORT } from './messagio.constants.js';
import type { ResolvedMessagioOptions } from './messagio.options.js';
import { MessagioDispatcher } from './delivery/dispatcher.js';
import { MessagioFaultReporter } from './delivery/fault.reporter.js';
import { MessagioPublisher } from './delivery/messagio.publisher.js';
import { MessagioObservers } from './delivery/messagio-observer.js';
import { pushDefaultPublisher, removeDefaultPublisher } from './message/default-publisher.js';
import type { MessagioTransport } from './transports/messagio-transport.interface.js';

/**
 * Starts consuming once every listener is discovered (module init is done),
 * and on `app.close()` stops taking work and waits for deliveries in flight
 * before the queue and its connections are closed. Listeners in flight keep
 * firing through this app until they finish.
 */
@Injectable()
export class MessagioLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly publisher: MessagioPublisher,
    private readonly dispatcher: MessagioDispatcher,
    private readonly faults: MessagioFaultReporter,
    private readonly observers: MessagioObservers,
    @Inject(MESSAGIO_TRANSPORT) private readonly transport: MessagioTransport,
    @Inject(MESSAGIO_MODULE_OPTIONS) private readonly options: ResolvedMessagioOptions,
  ) {}

  onModuleInit(): void {
    for (const observer of this.options.observers) this.observers.add(observer);
    this.dispatcher.useForNestedFires(this.publisher);
    pushDefaultPublisher(this.publisher);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.worker === false) return;
    await this.transport.start(async (data, attempt) => {
      const outcome = await this.dispatcher.dispatch(data, attempt);
      // Fired before the transport records the failure: at least once, never lost.
      if (outcome.status === 'failed') await this.faults.report(outcome, attempt, data);
      return outcome;
    });
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
