import { Logger } from '@nestjs/common';
import { MessagioEnvelopeError } from '../errors/messagio-envelope.error.js';
import { MessagioListenerError } from '../errors/messagio-listener.error.js';
import { MessagioValidationError } from '../errors/messagio-validation.error.js';
import type { ListenerBinding, ListenerRegistry } from '../listeners/listener.registry.js';
import type { MessagioCodec } from '../message/codec.js';
import type { MessagioEnvelope } from '../message/envelope.js';
import { parseEnvelope } from '../message/envelope.guard.js';
import type { MessageTypeEntry, MessageTypesRegistry } from '../message/message-types.registry.js';
import { upcastPayload } from '../message/upcast-chain.js';
import { deliveryIdOf } from '../message/delivery-id.js';
import { MessagioContext, runInMessagioContext, type FiresMessages } from '../message/messagio-context.js';
import { NO_HEADERS } from '../message/message-headers.js';
import type { DeliveryAttempt, DeliveryOutcome, FailedOutcome } from '../contract/delivery.types.js';
import { logSafe } from './log-safe.js';
import type { MessagioObservers } from './messagio-observer.js';
import type { PipelineOptions } from './pipeline.options.js';
import { decideRetry, type RetryDecision } from './retry.policy.js';

/**
 * Awaited when an attempt failed for good, before `dispatch()` returns (so
 * before the transport records the failure): how the runner reports faults.
 */
export type FinalFailureHook = (outcome: FailedOutcome, attempt: DeliveryAttempt, data: unknown) => Promise<void>;

/**
 * Runs one attempt of a delivery: the one place where a listener is called,
 * whichever transport (BullMQ, memory, sync) brought it. Envelope guard →
 * upcast → rebuild → validate → listener → the retry policy's decision. Never throws:
 * every ending is an outcome.
 */
export class MessagioDispatcher {
  private readonly logger = new Logger('Messagio');

  private readonly codec: MessagioCodec;
  private readonly maxPayloadBytes: number;
  /** Listeners run inside the async context that nested fires read (`asyncContext`). */
  private readonly asyncContext: boolean;
  /** This app's publisher: what `message.fire()` uses inside its listeners (set at bootstrap). */
  private publisher: FiresMessages | undefined;

  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly listeners: ListenerRegistry,
    private readonly observers: MessagioObservers,
    settings: Pick<PipelineOptions, 'codec' | 'maxPayloadBytes' | 'asyncContext'>,
  ) {
    this.codec = settings.codec;
    this.maxPayloadBytes = settings.maxPayloadBytes;
    this.asyncContext = settings.asyncContext;
  }

  /** Called once at bootstrap: `message.fire()` inside this app's listeners goes through `publisher`. */
  useForNestedFires(publisher: FiresMessages): void {
    this.publisher = publisher;
  }

  async dispatch(raw: unknown, delivery: DeliveryAttempt, onFailed?: FinalFailureHook): Promise<DeliveryOutcome> {
    const { attempt, transport, id } = delivery;
    const observed = this.observers.active;
    const started = observed ? performance.now() : 0;
    let envelope: MessagioEnvelope | undefined;
    let outcome: DeliveryOutcome;
    try {
      envelope = parseEnvelope(raw, this.maxPayloadBytes);
      if (delivery.refused !== undefined) {
        // Failed for good by the transport without running (BullMQ: stalled too often): reported
        // as any final failure, whatever this process knows of its type and listener.
        this.logFailure(envelope, delivery.refused, attempt, 'transport');
        outcome = { status: 'failed', envelope, error: delivery.refused, poison: false };
      } else {
        const { type, binding } = this.resolve(envelope);
        // A payload stored at another version of its class is upcast first (a copy: the envelope stays as stored).
        const stored = envelope.typeVersion ?? 1;
        const payload = stored === type.version ? envelope.payload : upcastPayload(type.name, type.upcasters, envelope.payload, stored);
        const message = this.codec.rebuild(type.cls, payload);
        // The only await before the listener, and only with validation on.
        if (this.codec.validates) await this.codec.check(message, envelope.type);
        const context = new MessagioContext({
          messageId: envelope.id,
          type: envelope.type,
          traceId: envelope.traceId,
          causationId: envelope.causationId,
          listener: envelope.listener,
          deliveryId: deliveryIdOf(envelope.id, envelope.listener),
          attempt,
          maxAttempts: binding.options.maxRetries + 1,
          firedAt: new Date(envelope.firedAt),
          transport,
          // Checked by the guard; frozen for the listener (shared by every attempt in memory).
          headers: envelope.headers === undefined ? NO_HEADERS : Object.freeze(envelope.headers),
        });
        if (observed) this.observers.emit('started', { envelope, data: raw, attempt, transport });
        // The listener, inside its context; what it throws goes to the retry rule
        // (here, not in an async method of its own: one frame less per delivery).
        try {
          if (this.asyncContext) await runInMessagioContext(context, this.publisher, () => binding.listener.handler(message, context));
          else await binding.listener.handler(message, context);
          outcome = { status: 'completed', envelope };
        } catch (thrown) {
          outcome = this.listenerFailed(binding, thrown, context, envelope);
        }
      }
    } catch (error) {
      // Only envelope and validation problems reach here: they can never succeed.
      const err = error instanceof Error ? error : new MessagioListenerError(error);
      this.logPoison(envelope, raw, err, id);
      outcome = { status: 'failed', envelope, error: err, poison: true };
    }
    if (observed) this.notify(outcome, raw, attempt, transport, performance.now() - started);
    if (onFailed !== undefined && outcome.status === 'failed') await onFailed(outcome, delivery, raw);
    return outcome;
  }

  /** The registered type and listener binding an envelope is for. Throws for a type or listener this process does not know. */
  private resolve(envelope: MessagioEnvelope): { type: MessageTypeEntry; binding: ListenerBinding } {
    const type = this.types.entryFor(envelope.type);
    if (!type) {
      throw new MessagioEnvelopeError('unknown-type', `Message type "${envelope.type}" is not registered in this process (no listener subscribes to it).`);
    }
    const binding = this.listeners.binding(envelope.listener, envelope.type);
    if (binding) return { type, binding };
    const known = this.listeners.has(envelope.listener);
    throw new MessagioEnvelopeError(
      known ? 'listener-type-mismatch' : 'unknown-listener',
      known
        ? `Listener "${envelope.listener}" does not subscribe to ${envelope.type}.`
        : `Listener "${envelope.listener}" is not registered in this process.`,
    );
  }

  /** The retry rule's decision on what a listener threw. */
  private listenerFailed(binding: ListenerBinding, thrown: unknown, context: MessagioContext, envelope: MessagioEnvelope): DeliveryOutcome {
    const error = thrown instanceof Error ? thrown : new MessagioListenerError(thrown);
    const decision = decideRetry(binding.options, error, context.attempt);
    if (decision.retry) {
      this.logger.warn(
        logSafe(
          `${envelope.listener} failed on ${envelope.type} (messageId=${envelope.id} traceId=${envelope.traceId}, ` +
            `attempt ${context.attempt}/${context.maxAttempts}), retrying in ${decision.delay} ms: ${error.name}: ${error.message}`,
        ),
      );
      return { status: 'retry', envelope, error, delay: decision.delay };
    }
    this.logFailure(envelope, error, context.attempt, decision.reason);
    return { status: 'failed', envelope, error, poison: false };
  }

  private notify(outcome: DeliveryOutcome, data: unknown, attempt: number, transport: string, durationMs: number): void {
    const base = { envelope: outcome.envelope, data, attempt, transport, durationMs };
    if (outcome.status === 'completed') this.observers.emit('completed', base);
    else if (outcome.status === 'retry') this.observers.emit('retrying', { ...base, error: outcome.error, delay: outcome.delay });
    else this.observers.emit('failed', { ...base, error: outcome.error, poison: outcome.poison });
  }

  private logFailure(envelope: MessagioEnvelope, error: Error, attempt: number, reason: FailureReason): void {
    this.logger.error(
      logSafe(
        `${envelope.listener} failed for good on ${envelope.type} (messageId=${envelope.id} traceId=${envelope.traceId}, ` +
          `attempt ${attempt}, ${FAILURE_REASONS[reason]}): ${error.name}: ${error.message}`,
      ),
      error.stack,
    );
  }

  private logPoison(envelope: MessagioEnvelope | undefined, raw: unknown, error: Error, id: string | undefined): void {
    // The stored id names the delivery even when its data says nothing readable.
    const ids = `${id !== undefined ? `id=${id} ` : ''}${idsOf(envelope ?? raw)}`;
    const kind = error instanceof MessagioValidationError ? 'invalid payload' : 'undeliverable';
    this.logger.error(logSafe(`Rejected ${kind} delivery (${ids}): ${error.name}: ${error.message}`));
  }
}

type FailureReason = Extract<RetryDecision, { retry: false }>['reason'] | 'transport';

/** How a final failure's log line says why it was not retried. */
const FAILURE_REASONS: Record<FailureReason, string> = {
  exhausted: 'retries exhausted',
  'no-retries': 'no retries configured (maxRetries: 0)',
  'not-retryable': 'error not in retryOn',
  refused: 'refused by a guard',
  transport: 'failed by the transport without running',
};

function idsOf(value: unknown): string {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : '?');
  return `messageId=${str(v.id)} traceId=${str(v.traceId)} listener=${str(v.listener)}`;
}
