import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { MESSAGIO_CLOCK, MESSAGIO_MODULE_OPTIONS, MESSAGIO_TRANSPORT } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioDispatchError, type MessagioListenerFailure } from '../errors/messagio-dispatch.error.js';
import { MessagioInvalidMessageError } from '../errors/messagio-invalid-message.error.js';
import { MessagioNoListenersError } from '../errors/messagio-no-listeners.error.js';
import { MessagioPayloadTooLargeError } from '../errors/messagio-payload-too-large.error.js';
import type { FireOptions } from '../interfaces/fire-options.interface.js';
import type { ResolvedMessagioOptions } from '../messagio.options.js';
import { ListenerRegistry, type ListenerBinding } from '../listeners/listener.registry.js';
import { MessagioCodec } from '../message/codec.js';
import { ENVELOPE_VERSION, type MessagioEnvelope } from '../message/envelope.js';
import { FAULT_TYPE, MessagioFault } from '../message/messagio-fault.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { Messagio, type MessagioClass } from '../message/messagio.js';
import { realClock, sleep, type MessagioClock } from '../transports/clock.js';
import type { DeliveryState } from '../transports/delivery-state.js';
import type { Delivery, MessagioTransport } from '../transports/messagio-transport.interface.js';
import { MessagioDispatcher, type DeliveryOutcome } from './dispatcher.js';
import { currentMessagioContext, deliveryIdOf } from './messagio-context.js';
import { MessagioObservers } from './messagio-observer.js';
import { MessagioReceipt } from './messagio-receipt.js';

/** A message turned into its deliveries, ready for a transport or the sync path. */
interface PreparedFire {
  message: Messagio;
  type: string;
  messageId: string;
  traceId: string;
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
  private readonly inspect = (ids: string[]) => this.inspectDeliveries(ids);

  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly listeners: ListenerRegistry,
    private readonly dispatcher: MessagioDispatcher,
    private readonly observers: MessagioObservers,
    @Inject(MESSAGIO_TRANSPORT) private readonly transport: MessagioTransport,
    @Inject(MESSAGIO_MODULE_OPTIONS) private readonly options: ResolvedMessagioOptions,
    // Sync-mode retry waits; the testing module provides a virtual clock.
    @Optional() @Inject(MESSAGIO_CLOCK) private readonly clock: MessagioClock = realClock,
  ) {
    this.codec = new MessagioCodec({ validate: options.validate, validation: options.validation });
  }

  /**
   * Fires one message. Resolves once its deliveries are stored by the
   * transport (or, with `sync: true`, once every listener has run).
   */
  async fire(message: Messagio, options: FireOptions = {}): Promise<MessagioReceipt> {
    const prepared = await this.prepare(message, options);
    if (options.sync) return this.runSync(prepared);
    if (prepared.deliveries.length > 0) await this.transport.enqueue(prepared.deliveries);
    return this.stored(prepared);
  }

  /**
   * Fires several messages; their deliveries are stored in one round trip.
   * Nothing is stored if any message is invalid. `messageId` cannot be shared.
   */
  async fireMany(messages: Messagio[], options: Omit<FireOptions, 'messageId'> = {}): Promise<MessagioReceipt[]> {
    if (!Array.isArray(messages)) throw new MessagioInvalidMessageError(messages);
    if ((options as FireOptions).messageId !== undefined) {
      throw new MessagioConfigurationError('fireMany() cannot share one messageId between messages; fire them one by one.');
    }
    const prepared = await Promise.all(messages.map((m) => this.prepare(m, options)));
    if (options.sync) {
      const receipts: MessagioReceipt[] = [];
      for (const p of prepared) receipts.push(await this.runSync(p));
      return receipts;
    }
    const deliveries = prepared.flatMap((p) => p.deliveries);
    if (deliveries.length > 0) await this.transport.enqueue(deliveries);
    return prepared.map((p) => this.stored(p));
  }

  /**
   * Fires a `MessagioFault` for a delivery that failed for good, when anyone
   * listens to faults. A failed fault delivery produces none (no loops).
   */
  async reportFailure(outcome: DeliveryOutcome & { status: 'failed' }, attempts: number): Promise<void> {
    const envelope = outcome.envelope;
    if (!envelope || envelope.type === FAULT_TYPE || this.listeners.bindingsFor(FAULT_TYPE).length === 0) return;
    const fault = new MessagioFault({
      type: envelope.type,
      messageId: envelope.id,
      traceId: envelope.traceId,
      listener: envelope.listener,
      attempts,
      error: { name: outcome.error.name, message: outcome.error.message, stack: outcome.error.stack },
      payload: envelope.payload,
      poison: outcome.poison,
    });
    try {
      // Deterministic id: a fault reported twice (a crash between firing it and
      // recording the failure) is stored once.
      const messageId = `fault-${createHash('sha1').update(deliveryIdOf(envelope.id, envelope.listener)).digest('hex')}`;
      const prepared = await this.prepare(fault, { messageId, traceId: envelope.traceId }, envelope.id);
      await this.transport.enqueue(prepared.deliveries);
      this.stored(prepared);
    } catch (error) {
      this.logger.error(`Could not fire MessagioFault for ${envelope.listener} on ${envelope.type} (messageId=${envelope.id}): ${(error as Error)?.message}`);
    }
  }

  /** `causationId` defaults to the message being handled in this async context, if any. */
  private async prepare(message: Messagio, options: FireOptions, causationId?: string): Promise<PreparedFire> {
    if (!(message instanceof Messagio)) throw new MessagioInvalidMessageError(message);
    checkFireOptions(options);
    const type = this.types.nameOf(message.constructor as MessagioClass);
    const payload = await this.codec.encode(message, type);
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    if (bytes > this.options.maxPayloadBytes) throw new MessagioPayloadTooLargeError(type, bytes, this.options.maxPayloadBytes);
    const bindings = this.listeners.bindingsFor(type);
    if (bindings.length === 0) this.noListeners(type);
    const parent = currentMessagioContext();
    const messageId = options.messageId ?? randomUUID();
    const traceId = options.traceId ?? parent?.traceId ?? randomUUID();
    const envelope: Omit<MessagioEnvelope, 'listener'> = {
      v: ENVELOPE_VERSION,
      type,
      id: messageId,
      traceId,
      causationId: causationId ?? parent?.messageId ?? null,
      firedAt: new Date().toISOString(),
      payload,
    };
    const delay = options.delay ?? 0;
    const deliveries = bindings.map((binding) => toDelivery(binding, { ...envelope, listener: binding.listener.id }, delay));
    return { message, type, messageId, traceId, deliveries };
  }

  private stored(prepared: PreparedFire, inspect = this.inspect): MessagioReceipt {
    const receipt = new MessagioReceipt(
      prepared.messageId,
      prepared.traceId,
      prepared.deliveries.map((d) => d.envelope.listener),
      inspect,
    );
    if (this.observers.active) {
      this.observers.emit('fired', {
        message: prepared.message,
        type: prepared.type,
        receipt,
        envelopes: prepared.deliveries.map((d) => d.envelope),
        sync: inspect !== this.inspect,
      });
    }
    return receipt;
  }

  /**
   * The sync path: each delivery, in priority order, goes through the same
   * JSON round trip, dispatcher and retry rule as a queued one.
   */
  private async runSync(prepared: PreparedFire): Promise<MessagioReceipt> {
    const states = new Map<string, DeliveryState>();
    const receipt = this.stored(prepared, async (ids) => ids.map((id) => states.get(id)!));
    const failures: MessagioListenerFailure[] = [];
    for (const delivery of prepared.deliveries) {
      const data = JSON.stringify(delivery.envelope);
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.dispatcher.dispatch(JSON.parse(data), { attempt, transport: 'sync' });
        if (outcome.status === 'retry') {
          if (outcome.delay > 0) await sleep(this.clock, outcome.delay);
          continue;
        }
        const { messageId, listener } = { messageId: prepared.messageId, listener: delivery.envelope.listener };
        states.set(delivery.id, {
          id: delivery.id,
          messageId,
          listener,
          type: prepared.type,
          status: outcome.status,
          attempts: attempt,
          ...(outcome.status === 'failed' ? { error: `${outcome.error.name}: ${outcome.error.message}`, stack: outcome.error.stack } : {}),
          finishedAt: new Date(),
        });
        if (outcome.status === 'failed') {
          failures.push({ listener, attempts: attempt, error: outcome.error });
          await this.reportFailure(outcome, attempt);
        }
        break;
      }
    }
    if (failures.length > 0) throw new MessagioDispatchError(prepared.type, prepared.messageId, failures);
    return receipt;
  }

  private async inspectDeliveries(ids: string[]): Promise<DeliveryState[]> {
    if (!this.transport.inspect) {
      throw new MessagioConfigurationError(`The ${this.transport.name} transport cannot report delivery states (no inspect()).`);
    }
    return this.transport.inspect(ids);
  }

  private noListeners(type: string): void {
    if (type === FAULT_TYPE) return;
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
    ...(options.queue !== undefined ? { queue: options.queue } : {}),
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
    if (value !== undefined && (typeof value !== 'string' || value === '' || /[:|]/.test(value))) {
      throw new MessagioConfigurationError(`fire() option ${key} must be a non-empty string without ':' or '|', got ${JSON.stringify(value)}.`);
    }
  }
}
