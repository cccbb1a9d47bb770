import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MESSAGIO_MODULE_OPTIONS, MESSAGIO_TRANSPORT } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioDispatchError, type MessagioListenerFailure } from '../errors/messagio-dispatch.error.js';
import { MessagioInvalidMessageError } from '../errors/messagio-invalid-message.error.js';
import { MessagioNoListenersError } from '../errors/messagio-no-listeners.error.js';
import type { FireOptions, FireReceipt } from '../interfaces/fire-options.interface.js';
import type { ResolvedMessagioOptions } from '../messagio.options.js';
import { ListenerRegistry, type ListenerBinding } from '../listeners/listener.registry.js';
import { MessagioCodec } from '../message/codec.js';
import { ENVELOPE_VERSION, type MessagioEnvelope } from '../message/envelope.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { Messagio, type MessagioClass } from '../message/messagio.js';
import type { Delivery, MessagioTransport } from '../transports/messagio-transport.interface.js';
import { MessagioDispatcher } from './dispatcher.js';
import { currentMessagioContext, deliveryIdOf } from './messagio-context.js';

/** A message turned into its deliveries, ready for a transport or the sync path. */
interface PreparedFire {
  receipt: FireReceipt;
  type: string;
  deliveries: Delivery[];
}

/**
 * Fires messages: validates and serialises them, makes one delivery per
 * listener, and hands them to the transport (or, with `sync`, runs them here).
 * @publicApi
 */
@Injectable()
export class MessagioPublisher {
  private readonly logger = new Logger('Messagio');
  private readonly codec: MessagioCodec;
  private readonly warnedTypes = new Set<string>();

  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly listeners: ListenerRegistry,
    private readonly dispatcher: MessagioDispatcher,
    @Inject(MESSAGIO_TRANSPORT) private readonly transport: MessagioTransport,
    @Inject(MESSAGIO_MODULE_OPTIONS) private readonly options: ResolvedMessagioOptions,
  ) {
    this.codec = new MessagioCodec({ validate: options.validate, validation: options.validation });
  }

  /**
   * Fires one message. Resolves once its deliveries are stored by the
   * transport (or, with `sync: true`, once every listener has run).
   */
  async fire(message: Messagio, options: FireOptions = {}): Promise<FireReceipt> {
    const prepared = await this.prepare(message, options);
    if (options.sync) await this.runSync(prepared);
    else if (prepared.deliveries.length > 0) await this.transport.enqueue(prepared.deliveries);
    return prepared.receipt;
  }

  /**
   * Fires several messages; their deliveries are stored in one round trip.
   * Nothing is stored if any message is invalid. `messageId` cannot be shared.
   */
  async fireMany(messages: Messagio[], options: Omit<FireOptions, 'messageId'> = {}): Promise<FireReceipt[]> {
    if (!Array.isArray(messages)) throw new MessagioInvalidMessageError(messages);
    if ((options as FireOptions).messageId !== undefined) {
      throw new MessagioConfigurationError('fireMany() cannot share one messageId between messages; fire them one by one.');
    }
    const prepared = await Promise.all(messages.map((m) => this.prepare(m, options)));
    if (options.sync) {
      for (const p of prepared) await this.runSync(p);
    } else {
      const deliveries = prepared.flatMap((p) => p.deliveries);
      if (deliveries.length > 0) await this.transport.enqueue(deliveries);
    }
    return prepared.map((p) => p.receipt);
  }

  private async prepare(message: Messagio, options: FireOptions): Promise<PreparedFire> {
    if (!(message instanceof Messagio)) throw new MessagioInvalidMessageError(message);
    checkFireOptions(options);
    const type = this.types.nameOf(message.constructor as MessagioClass);
    const payload = await this.codec.encode(message, type);
    const bindings = this.listeners.bindingsFor(type);
    const parent = currentMessagioContext();
    const messageId = options.messageId ?? randomUUID();
    const traceId = options.traceId ?? parent?.traceId ?? randomUUID();
    const receipt: FireReceipt = { messageId, traceId, listeners: bindings.map((b) => b.listener.id) };
    if (bindings.length === 0) this.noListeners(type);
    const firedAt = new Date().toISOString();
    const causationId = parent?.messageId ?? null;
    const deliveries = bindings.map((binding) =>
      toDelivery(binding, { v: ENVELOPE_VERSION, type, id: messageId, traceId, causationId, firedAt, listener: binding.listener.id, payload }, options.delay ?? 0),
    );
    return { receipt, type, deliveries };
  }

  /**
   * The sync path: each delivery, in priority order, goes through the same
   * JSON round trip, dispatcher and retry rule as a queued one.
   */
  private async runSync({ type, receipt, deliveries }: PreparedFire): Promise<void> {
    const failures: MessagioListenerFailure[] = [];
    for (const delivery of deliveries) {
      const data = JSON.stringify(delivery.envelope);
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.dispatcher.dispatch(JSON.parse(data), { attempt, transport: 'sync' });
        if (outcome.status === 'completed') break;
        if (outcome.status === 'failed') {
          failures.push({ listener: delivery.envelope.listener, attempts: attempt, error: outcome.error });
          break;
        }
        if (outcome.delay > 0) await new Promise((resolve) => setTimeout(resolve, outcome.delay));
      }
    }
    if (failures.length > 0) throw new MessagioDispatchError(type, receipt.messageId, failures);
  }

  private noListeners(type: string): void {
    if (this.options.strict) throw new MessagioNoListenersError(type);
    if (this.warnedTypes.has(type)) return;
    this.warnedTypes.add(type);
    this.logger.warn(`No listener subscribes to ${type}: fired messages of this type go nowhere (warned once per type).`);
  }
}

function toDelivery(binding: ListenerBinding, envelope: MessagioEnvelope, delay: number): Delivery {
  const { options } = binding;
  return {
    id: deliveryIdOf(envelope.id, envelope.listener),
    envelope,
    priority: options.priority,
    attempts: options.maxRetries + 1,
    backoff: { type: options.backoff, delay: options.retryDelay },
    delay,
  };
}

function checkFireOptions(options: FireOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new MessagioConfigurationError(`fire() options must be an object, got ${String(options)}.`);
  }
  if (options.delay !== undefined && (typeof options.delay !== 'number' || !Number.isFinite(options.delay) || options.delay < 0)) {
    throw new MessagioConfigurationError(`fire() option delay must be a number of milliseconds ≥ 0, got ${String(options.delay)}.`);
  }
  for (const key of ['messageId', 'traceId'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.includes(':'))) {
      throw new MessagioConfigurationError(`fire() option ${key} must be a non-empty string without ':', got ${JSON.stringify(value)}.`);
    }
  }
}
