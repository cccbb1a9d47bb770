import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Delivery } from '../contract/delivery.types.js';
import { MessagioError } from '../errors/messagio.error.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioInvalidMessageError } from '../errors/messagio-invalid-message.error.js';
import { MessagioNoListenersError } from '../errors/messagio-no-listeners.error.js';
import { MessagioPayloadTooLargeError } from '../errors/messagio-payload-too-large.error.js';
import type { ListenerBinding, ListenerRegistry } from '../listeners/listener.registry.js';
import { deliveryIdOf } from '../message/delivery-id.js';
import { ENVELOPE_VERSION, makeEnvelope, type MessagioEnvelope } from '../message/envelope.js';
import type { FireOptions, FireReceipt, MessagioCause } from '../message/fire-options.js';
import { FAULT_TYPE } from '../message/messagio-fault.js';
import { currentMessagioContext } from '../message/messagio-context.js';
import { headersProblem, mergeHeaders, type MessagioHeaders } from '../message/message-headers.js';
import type { MessageTypesRegistry } from '../message/message-types.registry.js';
import { Messagio, type MessagioClass } from '../message/messagio.js';
import { isoNow } from '../message/iso-now.js';
import { jsonSizeBound } from '../message/json-size-bound.js';
import { findUnserialisable } from '../message/unserialisable-property.js';
import type { PipelineOptions } from './pipeline.options.js';

/** A message turned into its deliveries, ready for a transport. */
export interface PreparedFire {
  message: Messagio;
  type: string;
  messageId: string;
  traceId: string;
  /** One per listener, in delivery order (priority, then subscription). */
  deliveries: Delivery[];
  payload: Record<string, unknown>;
  /**
   * The payload as JSON when it was made to be measured against
   * maxPayloadBytes (reused by the sync transport's snapshot); undefined for a
   * flat payload whose size bound is within the limit.
   */
  payloadJson: string | undefined;
  /** The headers every delivery carries, if any. */
  headers: MessagioHeaders | undefined;
  /** The delivery that caused it (`causedBy`, else the one handled in this async context), if any. */
  cause: MessagioCause | undefined;
}

/** The envelope fields every delivery of one message shares. */
type EnvelopeHead = Omit<MessagioEnvelope, 'payload' | 'listener'>;

/**
 * A message → its envelopes and deliveries: checked (validation, size,
 * JSON), serialised once, one delivery per listener in registry order. The
 * publisher's first step, and what the test harness records a fire with.
 */
export class DeliveryFactory {
  private readonly logger = new Logger('Messagio');
  private readonly warnedTypes = new Set<string>();

  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly listeners: ListenerRegistry,
    private readonly settings: Pick<PipelineOptions, 'codec' | 'maxPayloadBytes' | 'strict' | 'capture'>,
  ) {}

  /**
   * `causationId` defaults to the message being handled in this async context,
   * if any. `options` are checked by the caller: fire() options by
   * checkFireOptions; a fault's traceId is the failed delivery's, read from
   * stored data, and must not stop its fault from being fired.
   */
  async prepare(message: Messagio, options: FireOptions, causationId?: string): Promise<PreparedFire> {
    return this.prepareNow(message, options, causationId);
  }

  /**
   * `prepare` without a promise when the message is settled synchronously
   * (validation off, or found valid by the compiled check): the usual fire
   * then has no await before its store. Throws what `prepare` rejects with.
   */
  prepareNow(message: Messagio, options: FireOptions, causationId?: string): PreparedFire | Promise<PreparedFire> {
    if (!(message instanceof Messagio)) throw new MessagioInvalidMessageError(message);
    const { name: type, version } = this.types.headOf(message.constructor as MessagioClass);
    const checking = this.settings.codec.checkNow(message, type);
    if (checking !== undefined) return checking.then(() => this.build(message, type, version, options, causationId));
    return this.build(message, type, version, options, causationId);
  }

  /** A checked message → its deliveries. */
  private build(message: Messagio, type: string, version: number, options: FireOptions, causationId: string | undefined): PreparedFire {
    const { codec, maxPayloadBytes } = this.settings;
    let payload: Record<string, unknown>;
    // Made only when needed: a flat payload within a bound of its size always serialises, and fits.
    let payloadJson: string | undefined;
    try {
      payload = codec.toPayload(message);
      if (jsonSizeBound(payload) > maxPayloadBytes) payloadJson = JSON.stringify(payload);
    } catch (error) {
      throw unserialisable(message, type, error);
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most payloads are measured by their length alone.
    if (payloadJson !== undefined && payloadJson.length * 3 > maxPayloadBytes) {
      const bytes = Buffer.byteLength(payloadJson);
      if (bytes > maxPayloadBytes) throw new MessagioPayloadTooLargeError(type, bytes, maxPayloadBytes);
    }
    const bindings = this.listeners.bindingsFor(type);
    if (bindings.length === 0) this.noListeners(type);
    const parent = options.causedBy ?? currentMessagioContext();
    const messageId = options.messageId ?? randomUUID();
    const traceId = options.traceId ?? parent?.traceId ?? randomUUID();
    const headers = this.headersOf(parent?.headers, options.headers);
    const head = envelopeHead(type, version, messageId, traceId, causationId ?? parent?.messageId ?? null, headers);
    const delay = options.delay ?? 0;
    const deliveries = bindings.map((binding) =>
      toDelivery(binding, makeEnvelope(head, binding.listener.id, payload), delay, this.listeners.mixedPriorities(binding.options.queue)),
    );
    return { message, type, messageId, traceId, deliveries, payload, payloadJson, headers, cause: parent };
  }

  /**
   * The envelope a fired message's deliveries share (no listener), for a fire
   * the test harness saw without any delivery (no listener): serialised by
   * the same codec, caused by `cause` (the fire's `causedBy` or async context).
   */
  envelopeOf(message: Messagio, type: string, receipt: FireReceipt, headers?: MessagioHeaders, cause?: MessagioCause): Omit<MessagioEnvelope, 'listener'> {
    const { version } = this.types.headOf(message.constructor as MessagioClass);
    const head = envelopeHead(type, version, receipt.messageId, receipt.traceId, cause?.messageId ?? null, headers);
    return { ...head, payload: this.settings.codec.toPayload(message) };
  }

  /**
   * The headers of a fire: inherited, then captured (`propagate.capture()`,
   * checked here: it is app code), then its own (checked by the caller). No
   * object is made when a fire adds none.
   */
  private headersOf(inherited: MessagioHeaders | undefined, own: MessagioHeaders | undefined): MessagioHeaders | undefined {
    const capture = this.settings.capture;
    let captured: Record<string, string> | undefined;
    if (capture !== undefined) {
      captured = capture() ?? undefined;
      const problem = captured === undefined ? undefined : headersProblem(captured);
      if (problem !== undefined) throw new MessagioConfigurationError(`propagate.capture() returned headers that cannot travel: it ${problem}.`);
    }
    return mergeHeaders(inherited, captured, own);
  }

  private noListeners(type: string): void {
    if (type === FAULT_TYPE) return;
    if (this.settings.strict) throw new MessagioNoListenersError(type);
    if (this.warnedTypes.has(type)) return;
    this.warnedTypes.add(type);
    this.logger.warn(`No listener subscribes to ${type}: fired messages of this type go nowhere (warned once per type).`);
  }
}

/** Version 1 and no headers are left out of the envelope (the lean default an envelope without them reads as). */
function envelopeHead(type: string, version: number, id: string, traceId: string, causationId: string | null, headers: MessagioHeaders | undefined): EnvelopeHead {
  const firedAt = isoNow();
  if (version === 1) {
    return headers === undefined
      ? { v: ENVELOPE_VERSION, type, id, traceId, causationId, firedAt }
      : { v: ENVELOPE_VERSION, type, id, traceId, causationId, firedAt, headers };
  }
  return headers === undefined
    ? { v: ENVELOPE_VERSION, type, typeVersion: version, id, traceId, causationId, firedAt }
    : { v: ENVELOPE_VERSION, type, typeVersion: version, id, traceId, causationId, firedAt, headers };
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

/** Why a message's payload could not be serialised, naming the property (the payload is walked on this error path only). */
function unserialisable(message: Messagio, type: string, error: unknown): MessagioError {
  const found = findUnserialisable(message);
  if (found) return new MessagioInvalidMessageError(message, { messageType: type, property: found.property, reason: found.reason }, { cause: error });
  // Already typed (a payload nested deeper than any worker accepts): keep it.
  if (error instanceof MessagioError) return error;
  const reason = `its payload cannot be serialised to JSON (${(error as Error)?.name}: ${(error as Error)?.message})`;
  return new MessagioInvalidMessageError(message, { messageType: type, reason }, { cause: error });
}
