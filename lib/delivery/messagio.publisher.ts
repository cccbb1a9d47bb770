import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { MESSAGIO_CLOCK, MESSAGIO_MODULE_OPTIONS, MESSAGIO_TRANSPORT } from '../messagio.constants.js';
import { MessagioBatchDispatchError } from '../errors/messagio-batch-dispatch.error.js';
import { MessagioClosedError } from '../errors/messagio-closed.error.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioDispatchError, type MessagioListenerFailure } from '../errors/messagio-dispatch.error.js';
import { MessagioError } from '../errors/messagio.error.js';
import { MessagioInvalidMessageError } from '../errors/messagio-invalid-message.error.js';
import { MessagioNoListenersError } from '../errors/messagio-no-listeners.error.js';
import { MessagioPayloadTooLargeError } from '../errors/messagio-payload-too-large.error.js';
import type { FireManyOptions, FireOptions } from '../message/fire-options.js';
import type { ResolvedMessagioOptions } from '../messagio.options.js';
import { ListenerRegistry, type ListenerBinding } from '../listeners/listener.registry.js';
import { MessagioCodec } from '../message/codec.js';
import { copyAsJson, ENVELOPE_VERSION, makeEnvelope, type MessagioEnvelope } from '../message/envelope.js';
import { FAULT_TYPE } from '../message/messagio-fault.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { Messagio, type MessagioClass } from '../message/messagio.js';
import { findUnserialisable } from '../message/unserialisable-property.js';
import { realClock, sleep, type MessagioClock } from '../transports/clock.js';
import { unknownState, type DeliveryState } from '../message/delivery-state.js';
import type { Delivery } from '../contract/delivery.types.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import { MessagioDispatcher } from './dispatcher.js';
import type { MessagioFaultReporter } from './fault.reporter.js';
import { checkFireId } from './fire-id.js';
import { deliveryIdOf } from '../message/delivery-id.js';
import { currentMessagioContext } from '../message/messagio-context.js';
import { MessagioObservers } from './messagio-observer.js';
import { MessagioReceipt } from '../message/messagio-receipt.js';

/** A message turned into its deliveries, ready for a transport or the sync path. */
interface PreparedFire {
  message: Messagio;
  type: string;
  messageId: string;
  traceId: string;
  deliveries: Delivery[];
  payload: Record<string, unknown>;
  /** The payload as JSON: measured against maxPayloadBytes, and the sync path's copy of what a queue would store. */
  payloadJson: string;
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
  /** Reports the sync path's failures; set by the reporter, which fires through this publisher. @internal */
  faults: MessagioFaultReporter | undefined;
  /** The app closed: nothing is fired any more, not even in process (sync). */
  private closed = false;

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
    if (this.closed) throw new MessagioClosedError(this.transport.name);
    checkFireOptions(options);
    const prepared = await this.prepare(message, options);
    if (options.sync) return this.runSync(prepared);
    if (prepared.deliveries.length > 0) await this.transport.enqueue(prepared.deliveries);
    return this.stored(prepared);
  }

  /**
   * Fires several messages; their deliveries are stored in one round trip.
   * Nothing is stored if any message is invalid. `messageId` cannot be shared:
   * `messageIds` gives each message its own idempotency key, so that a
   * rejected call can be made again without storing any delivery twice.
   * With `sync`, every message's listeners run, then it rejects with
   * `MessagioBatchDispatchError` if any failed.
   */
  async fireMany(messages: Messagio[], options: FireManyOptions = {}): Promise<MessagioReceipt[]> {
    if (this.closed) throw new MessagioClosedError(this.transport.name);
    if (!Array.isArray(messages)) throw new MessagioInvalidMessageError(messages);
    checkFireOptions(options);
    if ((options as FireOptions).messageId !== undefined) {
      throw new MessagioConfigurationError('fireMany() cannot share one messageId between messages: give one per message with { messageIds: [...] }.');
    }
    const ids = options.messageIds;
    if (ids !== undefined) checkMessageIds(ids, messages.length);
    const prepared = await Promise.all(messages.map((m, i) => this.prepare(m, ids ? { ...options, messageId: ids[i] } : options)));
    if (options.sync) {
      // Every message runs; the failures are reported together at the end.
      const receipts: MessagioReceipt[] = [];
      const failures: MessagioDispatchError[] = [];
      for (const p of prepared) receipts.push(await this.runSync(p, failures));
      if (failures.length > 0) throw new MessagioBatchDispatchError(failures, receipts);
      return receipts;
    }
    const deliveries = prepared.flatMap((p) => p.deliveries);
    if (deliveries.length > 0) await this.transport.enqueue(deliveries);
    return prepared.map((p) => this.stored(p));
  }

  /**
   * Called by the module's lifecycle once `app.close()` has closed the
   * transport (the listeners in flight have finished): from then on every
   * fire rejects with `MessagioClosedError`. Not for application code.
   */
  markClosed(): void {
    this.closed = true;
  }

  /**
   * Fires a message caused by `causationId`, whatever this async context
   * handles: how `MessagioFaultReporter` fires a fault for a failed delivery.
   * @internal
   */
  async fireCausedBy(message: Messagio, options: FireOptions, causationId: string): Promise<MessagioReceipt> {
    const prepared = await this.prepare(message, options, causationId);
    if (prepared.deliveries.length > 0) await this.transport.enqueue(prepared.deliveries);
    return this.stored(prepared);
  }

  /**
   * `causationId` defaults to the message being handled in this async context,
   * if any. `options` are checked by the caller: fire() options by
   * checkFireOptions; a fault's traceId is the failed delivery's, read from
   * stored data, and must not stop its fault from being fired.
   */
  private async prepare(message: Messagio, options: FireOptions, causationId?: string): Promise<PreparedFire> {
    if (!(message instanceof Messagio)) throw new MessagioInvalidMessageError(message);
    const type = this.types.nameOf(message.constructor as MessagioClass);
    if (this.codec.validates) await this.codec.check(message, type);
    let payload: Record<string, unknown>;
    let payloadJson: string;
    try {
      payload = this.codec.toPayload(message);
      payloadJson = JSON.stringify(payload);
    } catch (error) {
      throw unserialisable(message, type, error);
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most payloads are measured by their length alone.
    if (payloadJson.length * 3 > this.options.maxPayloadBytes) {
      const bytes = Buffer.byteLength(payloadJson);
      if (bytes > this.options.maxPayloadBytes) throw new MessagioPayloadTooLargeError(type, bytes, this.options.maxPayloadBytes);
    }
    const bindings = this.listeners.bindingsFor(type);
    if (bindings.length === 0) this.noListeners(type);
    const parent = currentMessagioContext();
    const messageId = options.messageId ?? randomUUID();
    const traceId = options.traceId ?? parent?.traceId ?? randomUUID();
    const head: Omit<MessagioEnvelope, 'payload' | 'listener'> = {
      v: ENVELOPE_VERSION,
      type,
      id: messageId,
      traceId,
      causationId: causationId ?? parent?.messageId ?? null,
      firedAt: new Date().toISOString(),
    };
    const delay = options.delay ?? 0;
    const deliveries = bindings.map((binding) =>
      toDelivery(binding, makeEnvelope(head, binding.listener.id, payload), delay, this.listeners.mixedPriorities(binding.options.queue)),
    );
    return { message, type, messageId, traceId, deliveries, payload, payloadJson };
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
   * JSON round trip, dispatcher and retry rule as a queued one. Every attempt
   * gets its own copy of the payload as JSON would give it back (`copyAsJson`
   * for a flat payload, else the JSON measured at prepare, parsed again; the
   * other envelope fields are strings, which JSON keeps as they are), so every
   * listener rebuilds its own message from what a queue would have stored.
   * Failed listeners reject with `MessagioDispatchError`, or, given
   * `batchFailures` (fireMany), add it there and resolve.
   */
  private async runSync(prepared: PreparedFire, batchFailures?: MessagioDispatchError[]): Promise<MessagioReceipt> {
    const { deliveries, payloadJson } = prepared;
    // A flat payload is copied the way JSON would give it back, from a private
    // snapshot taken before observers see the message; others are parsed.
    const flat = copyAsJson(prepared.payload);
    const finished: Array<FinishedSync | undefined> = new Array(deliveries.length);
    const receipt = this.stored(prepared, async (ids) => ids.map((id) => syncState(prepared, finished, id)));
    let failures: MessagioListenerFailure[] | undefined;
    for (let i = 0; i < deliveries.length; i++) {
      const envelope = deliveries[i]!.envelope;
      for (let attempt = 1; ; attempt++) {
        const payload = (flat && copyAsJson(flat)) ?? (JSON.parse(payloadJson) as Record<string, unknown>);
        const outcome = await this.dispatcher.dispatch(makeEnvelope(envelope, envelope.listener, payload), { attempt, transport: 'sync' });
        if (outcome.status === 'retry') {
          if (outcome.delay > 0) await sleep(this.clock, outcome.delay);
          continue;
        }
        if (outcome.status === 'completed') {
          finished[i] = { attempts: attempt, at: Date.now() };
          break;
        }
        finished[i] = { attempts: attempt, at: Date.now(), error: outcome.error };
        (failures ??= []).push({ listener: envelope.listener, attempts: attempt, error: outcome.error });
        await this.faults?.report(outcome, { attempt, transport: 'sync' });
        break;
      }
    }
    if (failures) {
      const error = new MessagioDispatchError(prepared.type, prepared.messageId, failures);
      if (!batchFailures) throw error;
      batchFailures.push(error);
    }
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

/** How a sync delivery ended (kept small: the receipt builds its state only when asked). */
interface FinishedSync {
  attempts: number;
  at: number;
  error?: Error;
}

function syncState(prepared: PreparedFire, finished: Array<FinishedSync | undefined>, id: string): DeliveryState {
  const index = prepared.deliveries.findIndex((d) => d.id === id);
  const delivery = prepared.deliveries[index];
  const done = finished[index];
  if (!delivery || !done) return unknownState(id);
  const state: DeliveryState = {
    id,
    messageId: prepared.messageId,
    listener: delivery.envelope.listener,
    type: prepared.type,
    status: done.error ? 'failed' : 'completed',
    attempts: done.attempts,
    finishedAt: new Date(done.at),
  };
  if (done.error) {
    state.error = `${done.error.name}: ${done.error.message}`;
    state.stack = done.error.stack;
  }
  return state;
}

function toDelivery(binding: ListenerBinding, envelope: MessagioEnvelope, delay: number, prioritized: boolean): Delivery {
  const { options } = binding;
  const delivery: Delivery = {
    id: deliveryIdOf(envelope.id, envelope.listener),
    envelope,
    priority: options.priority,
    prioritized,
    attempts: options.maxRetries + 1,
    backoff: binding.backoff,
    delay,
  };
  if (options.queue !== undefined) delivery.queue = options.queue;
  return delivery;
}

function checkFireOptions(options: FireOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new MessagioConfigurationError(`fire() options must be an object, got ${String(options)}.`);
  }
  if (options.delay !== undefined && (typeof options.delay !== 'number' || !Number.isFinite(options.delay) || options.delay < 0)) {
    throw new MessagioConfigurationError(`fire() option delay must be a number of milliseconds ≥ 0, got ${String(options.delay)}.`);
  }
  if (options.messageId !== undefined) checkFireId(options.messageId, 'fire() option messageId');
  if (options.traceId !== undefined) checkFireId(options.traceId, 'fire() option traceId');
}

function checkMessageIds(ids: readonly string[], count: number): void {
  if (!Array.isArray(ids) || ids.length !== count) {
    throw new MessagioConfigurationError(
      `fireMany() option messageIds must be an array with one id per message (${count}), got ${Array.isArray(ids) ? `${ids.length} ids` : String(ids)}.`,
    );
  }
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    checkFireId(ids[i], `fireMany() option messageIds[${i}]`);
    if (seen.has(ids[i]!)) throw new MessagioConfigurationError(`fireMany() option messageIds has "${ids[i]}" twice: each message needs its own id.`);
    seen.add(ids[i]!);
  }
}

/** Why a message's payload could not be serialised, naming the property (the payload is walked on this error path only). */
function unserialisable(message: Messagio, type: string, error: unknown): MessagioError {
  const found = findUnserialisable(message);
  if (found) return new MessagioInvalidMessageError(message, { messageType: type, property: found.property, reason: found.reason }, { cause: error });
  // Already typed (a payload nested deeper than any worker accepts): keep it.
  if (error instanceof MessagioError) return error;
  const reason = `its payload cannot be serialised to JSON (${(error as Error)?.name}: ${(error as Error)?.message})`;
  return new MessagioInvalidMessageError(message, { messageType: type, reason }, { cause: error });
}
