import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { MESSAGIO_TRANSPORT } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { deliveryIdOf } from '../message/delivery-id.js';
import { currentMessagioContext, type MessagioContext } from '../message/messagio-context.js';
import {
  MessagioObservers,
  type MessagioDeliveryEndedEvent,
  type MessagioDeliveryEvent,
  type MessagioDeliveryFailedEvent,
  type MessagioDeliveryRetryEvent,
  type MessagioFiredEvent,
  type MessagioObserver,
} from '../delivery/messagio-observer.js';
import { ListenerRegistry, type ListenerHandler } from '../listeners/listener.registry.js';
import type { MessagioEnvelope } from '../message/envelope.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { DeliveryFactory } from '../delivery/delivery.factory.js';
import type { Messagio, MessagioClass } from '../message/messagio.js';
import type { Delivery } from '../contract/delivery.types.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import { MessagioInjectedFailure, MessagioRunawayError } from './errors.js';
import { MessagioDeliveryRecord, MessagioFiredRecord, type MessagioFiredBy, type MessagioMessageEnvelope } from './records.js';
import { MessagioTestTransport } from './test-transport.js';
import { MESSAGIO_TESTING_CONFIG, isTestingMode, type MessagioTestingMode, type ResolvedTestingConfig } from './testing-options.js';
import { buildTrace, type MessagioTrace } from './trace.js';

/** What one `drain()` (or `advance()`) did. */
export interface MessagioDrainSummary {
  /** Messages fired while it ran (by listeners, and faults). */
  fired: number;
  /** Listener attempts that ran. */
  attempts: number;
  completed: number;
  /** Attempts that failed and were scheduled for a retry. */
  retried: number;
  /** Deliveries that failed for good. */
  failed: number;
  /** Virtual milliseconds the clock moved. */
  elapsed: number;
  /** Deliveries left stored and not finished (in `capture` mode: all of them). */
  pending: number;
}

/** Options of `drain()`. */
export interface MessagioDrainOptions {
  /** Overrides the module's `maxMessages` for this drain. */
  maxMessages?: number;
}

interface Counters {
  fired: number;
  attempts: number;
  completed: number;
  retried: number;
  failed: number;
}

interface ListenerControl {
  stub: ListenerHandler | undefined;
  failures: Array<() => Error>;
  restore: () => void;
}

interface Guard {
  max: number;
  fired: number;
  byType: Record<string, number>;
  tripped: MessagioFiredRecord | undefined;
}

/**
 * Runs and records messages in tests: what was fired, which listener handled
 * or failed what, and why (the trace). Provided by `MessagioTestingModule`;
 * inject it or `app.get(MessagioTestHarness)`.
 *
 * Every delivery goes through the app's real pipeline (serialise → validate →
 * rebuild → listener → retry rule → `MessagioFault`); delays and retry waits
 * run on a virtual clock, so nothing waits on wall-clock time.
 * @publicApi
 */
@Injectable()
export class MessagioTestHarness implements OnModuleDestroy {
  private readonly transport: MessagioTestTransport;
  private currentMode: MessagioTestingMode;
  private records: MessagioFiredRecord[] = [];
  /** Fired records created at enqueue, waiting for the publisher's `fired` event. */
  private awaitingReceipt = new Map<string, MessagioFiredRecord>();
  private deliveryRecords = new Map<string, MessagioDeliveryRecord>();
  private counters: Counters = { fired: 0, attempts: 0, completed: 0, retried: 0, failed: 0 };
  private readonly controls = new Map<string, ListenerControl>();
  private draining: Promise<MessagioDrainSummary> | undefined;
  private guard: Guard | undefined;
  private readonly removeObserver: () => void;

  constructor(
    @Inject(MESSAGIO_TRANSPORT) transport: MessagioTransport,
    observers: MessagioObservers,
    private readonly listeners: ListenerRegistry,
    private readonly types: MessageTypesRegistry,
    @Inject(MESSAGIO_TESTING_CONFIG) private readonly config: ResolvedTestingConfig,
    private readonly factory: DeliveryFactory,
  ) {
    if (!(transport instanceof MessagioTestTransport)) {
      throw new MessagioConfigurationError('MessagioTestHarness needs the transport of MessagioTestingModule.forRoot().');
    }
    this.transport = transport;
    this.currentMode = config.mode;
    transport.hooks = {
      beforeEnqueue: (deliveries) => this.recordEnqueued(deliveries),
      afterEnqueue: () => this.afterEnqueue(),
    };
    this.removeObserver = observers.add(this.observer);
  }

  // ── Modes ────────────────────────────────────────────────────────────────

  /** `run` (deliveries run on `drain()`), `capture` (nothing runs) or `autoDrain` (they run as they are fired). */
  get mode(): MessagioTestingMode {
    return this.currentMode;
  }

  /** Switches mode for the rest of this test (`reset()` goes back to the module's). */
  setMode(mode: MessagioTestingMode): this {
    if (!isTestingMode(mode)) throw new MessagioConfigurationError(`Unknown harness mode ${JSON.stringify(mode)}: use 'run', 'capture' or 'autoDrain'.`);
    this.currentMode = mode;
    return this;
  }

  // ── Running ──────────────────────────────────────────────────────────────

  /**
   * Runs everything pending — deliveries, their retries and delays (on the
   * virtual clock), and whatever listeners fire meanwhile — until nothing is
   * left. One delivery at a time, highest priority first, FIFO among equals,
   * so a run is deterministic. In `capture` mode it runs nothing.
   *
   * Rejects with `MessagioRunawayError` when listeners fire more than
   * `maxMessages` messages in one drain.
   */
  drain(options: MessagioDrainOptions = {}): Promise<MessagioDrainSummary> {
    return this.run(undefined, options);
  }

  /**
   * Moves the virtual clock forward by `ms`, running what falls due on the
   * way (and what that fires), but nothing due later: to test that a retry or
   * a delayed message has not happened yet.
   */
  advance(ms: number, options: MessagioDrainOptions = {}): Promise<MessagioDrainSummary> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new MessagioConfigurationError(`advance(ms): ms must be a number ≥ 0, got ${String(ms)}.`);
    }
    return this.run(this.transport.clock.now() + ms, options);
  }

  /** The virtual time deliveries are scheduled on. */
  now(): Date {
    return new Date(this.transport.clock.now());
  }

  // ── What happened ────────────────────────────────────────────────────────

  /** Messages fired (of one type), in firing order, rebuilt from their payloads, with their envelopes. */
  fired<T extends Messagio>(type?: MessagioClass<T>): MessagioFiredRecord<T>[] {
    const name = this.typeName(type);
    return this.records.filter((r) => name === undefined || r.type === name) as MessagioFiredRecord<T>[];
  }

  /** Deliveries completed (of one type, by one listener), in the order they were created. */
  handled<T extends Messagio>(type?: MessagioClass<T>, listenerId?: string): MessagioDeliveryRecord<T>[] {
    return this.deliveries(type, listenerId).filter((d) => d.status === 'completed');
  }

  /** Deliveries failed for good (of one type, by one listener): `error`, `attempts`, `poison`. */
  failed<T extends Messagio>(type?: MessagioClass<T>, listenerId?: string): MessagioDeliveryRecord<T>[] {
    return this.deliveries(type, listenerId).filter((d) => d.status === 'failed');
  }

  /** Every delivery (of one type, by one listener), whatever its status. */
  deliveries<T extends Messagio>(type?: MessagioClass<T>, listenerId?: string): MessagioDeliveryRecord<T>[] {
    const name = this.typeName(type);
    return [...this.deliveryRecords.values()].filter(
      (d) => (name === undefined || d.type === name) && (listenerId === undefined || d.listener === listenerId),
    ) as MessagioDeliveryRecord<T>[];
  }

  /** Deliveries stored and not finished: queued, waiting for a retry or a delay, or running. */
  pending(): number {
    const { waiting, scheduled, running } = this.transport.pending();
    return waiting + scheduled + running;
  }

  /**
   * The tree of messages and deliveries of one trace: which listener fired
   * which message (and which delivery a `MessagioFault` is about).
   */
  trace(traceId: string): MessagioTrace {
    return buildTrace(traceId, this.records, this.deliveryRecords);
  }

  // ── Control over listeners ───────────────────────────────────────────────

  /**
   * Replaces a listener for this test: `fn` gets `(message, context)` instead
   * of the listener, with the same options (priority, retries). Returns a
   * function that puts the listener back; `reset()` does too.
   */
  stub<T extends Messagio = Messagio>(listenerId: string, fn: (message: T, context: MessagioContext) => unknown): () => void {
    if (typeof fn !== 'function') throw new MessagioConfigurationError(`stub("${listenerId}"): give a function.`);
    const control = this.control(listenerId);
    const stub = fn as ListenerHandler;
    control.stub = stub;
    return () => {
      if (control.stub === stub) control.stub = undefined;
    };
  }

  /**
   * Makes the next `times` attempts of a listener throw `error` (default: a
   * `MessagioInjectedFailure`) instead of running it: exercises retries,
   * `retryOn` and faults. Give an error of a class in the listener's `retryOn`
   * to have it retried.
   */
  failNext(listenerId: string, times = 1, error?: Error | (() => Error)): this {
    if (!Number.isInteger(times) || times < 1) throw new MessagioConfigurationError(`failNext("${listenerId}"): times must be a whole number ≥ 1, got ${String(times)}.`);
    const control = this.control(listenerId);
    const make =
      typeof error === 'function'
        ? error
        : error instanceof Error
          ? () => error
          : () => new MessagioInjectedFailure(`failNext: listener "${listenerId}" made to fail`);
    for (let i = 0; i < times; i++) control.failures.push(make);
    return this;
  }

  /**
   * Forgets everything recorded, drops what is still queued or scheduled,
   * puts stubbed listeners back and returns to the module's mode. Call it in
   * `afterEach` (or `beforeEach`).
   */
  reset(): void {
    if (this.draining) throw new MessagioConfigurationError('reset() was called while drain() runs; await drain() first.');
    this.restoreListeners();
    this.transport.clear();
    this.records = [];
    this.awaitingReceipt = new Map();
    this.deliveryRecords = new Map();
    this.counters = { fired: 0, attempts: 0, completed: 0, retried: 0, failed: 0 };
    this.guard = undefined;
    this.currentMode = this.config.mode;
  }

  onModuleDestroy(): void {
    this.restoreListeners();
    this.removeObserver();
  }

  // ── Internals ────────────────────────────────────────────────────────────

  private run(until: number | undefined, options: MessagioDrainOptions): Promise<MessagioDrainSummary> {
    if (this.draining) return this.draining;
    const max = options.maxMessages ?? this.config.maxMessages;
    if (!Number.isInteger(max) || max < 1) throw new MessagioConfigurationError(`maxMessages must be a whole number ≥ 1, got ${String(max)}.`);
    this.draining = this.runUntil(until, max).finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async runUntil(until: number | undefined, max: number): Promise<MessagioDrainSummary> {
    const clock = this.transport.clock;
    const startedAt = clock.now();
    const before = { ...this.counters };
    if (this.currentMode !== 'capture') {
      if (!this.transport.started) {
        throw new MessagioConfigurationError(
          'Nothing consumes the test transport: initialise the app first (await moduleRef.init() / app.init()), ' +
            'and make sure MessagioTestingModule replaces the transport (overrideModule(MessagioModule) or imported instead of MessagioModule.forRoot()).',
        );
      }
      this.guard = { max, fired: 0, byType: {}, tripped: undefined };
      this.transport.release();
      try {
        for (;;) {
          await this.transport.settle();
          const tripped = this.guard.tripped;
          if (tripped) throw new MessagioRunawayError(max, this.guard.byType, this.chainOf(tripped));
          const next = clock.nextDue();
          if (next === undefined || (until !== undefined && next > until)) break;
          clock.fireNext();
        }
      } finally {
        this.transport.hold();
        this.guard = undefined;
      }
    }
    if (until !== undefined) clock.advanceTo(until);
    const after = this.counters;
    return {
      fired: after.fired - before.fired,
      attempts: after.attempts - before.attempts,
      completed: after.completed - before.completed,
      retried: after.retried - before.retried,
      failed: after.failed - before.failed,
      elapsed: clock.now() - startedAt,
      pending: this.pending(),
    };
  }

  private async afterEnqueue(): Promise<void> {
    if (this.currentMode === 'autoDrain' && !this.draining) await this.drain();
  }

  private control(listenerId: string): ListenerControl {
    const existing = this.controls.get(listenerId);
    if (existing) return existing;
    const control: ListenerControl = { stub: undefined, failures: [], restore: () => undefined };
    control.restore = this.listeners.override(listenerId, (original) => (message, context) => {
      const failure = control.failures.shift();
      if (failure) throw failure();
      return (control.stub ?? original)(message, context);
    });
    this.controls.set(listenerId, control);
    return control;
  }

  private restoreListeners(): void {
    for (const control of this.controls.values()) control.restore();
    this.controls.clear();
  }

  private typeName(type: MessagioClass | undefined): string | undefined {
    if (type === undefined) return undefined;
    if (typeof type !== 'function') throw new MessagioConfigurationError(`Give a message class, got ${String(type)}.`);
    return this.types.nameOf(type);
  }

  /** A fired message, recorded when its deliveries reach the transport (before any of them can run). */
  private recordEnqueued(deliveries: Delivery[]): void {
    const byMessage = new Map<string, MessagioEnvelope[]>();
    for (const d of deliveries) byMessage.set(d.envelope.id, [...(byMessage.get(d.envelope.id) ?? []), d.envelope]);
    for (const envelopes of byMessage.values()) {
      const { listener: _listener, ...envelope } = envelopes[0]!;
      const record = this.addFired(envelope, envelopes, false, this.types.classFor(envelope.type));
      this.awaitingReceipt.set(record.messageId, record);
    }
  }

  private addFired(envelope: MessagioMessageEnvelope, envelopes: readonly MessagioEnvelope[], sync: boolean, cls: MessagioClass | undefined): MessagioFiredRecord {
    const record = new MessagioFiredRecord(this.records.length, envelope, envelopes.map((e) => e.listener), sync, firedBy(), cls);
    this.records.push(record);
    this.counters.fired++;
    for (const e of envelopes) {
      const id = deliveryIdOf(e.id, e.listener);
      if (!this.deliveryRecords.has(id)) this.deliveryRecords.set(id, new MessagioDeliveryRecord(e, cls));
    }
    const guard = this.guard;
    if (guard) {
      guard.fired++;
      guard.byType[record.type] = (guard.byType[record.type] ?? 0) + 1;
      if (guard.fired > guard.max && !guard.tripped) {
        guard.tripped = record;
        this.transport.hold();
      }
    }
    return record;
  }

  /** The causes of a message, oldest first, as `type (listener)`. */
  private chainOf(record: MessagioFiredRecord): string[] {
    const byId = new Map(this.records.map((r) => [r.messageId, r]));
    const chain: string[] = [];
    for (let r: MessagioFiredRecord | undefined = record; r && chain.length < 8; r = r.causationId ? byId.get(r.causationId) : undefined) {
      chain.unshift(r.firedBy ? `${r.type} (fired by ${r.firedBy.listener})` : r.type);
    }
    return chain;
  }

  private delivery(event: MessagioDeliveryEvent): MessagioDeliveryRecord | undefined {
    const envelope = event.envelope;
    if (!envelope) return undefined;
    const id = deliveryIdOf(envelope.id, envelope.listener);
    let record = this.deliveryRecords.get(id);
    if (!record) {
      record = new MessagioDeliveryRecord(envelope, this.types.classFor(envelope.type));
      this.deliveryRecords.set(id, record);
    }
    record.transport = event.transport;
    return record;
  }

  private attempt(record: MessagioDeliveryRecord, attempt: number) {
    let entry = record.attempts.find((a) => a.attempt === attempt);
    if (!entry) {
      entry = { attempt, outcome: 'running' };
      record.attempts.push(entry);
      this.counters.attempts++;
    }
    return entry;
  }

  private readonly observer: MessagioObserver = {
    fired: (event: MessagioFiredEvent) => {
      const awaiting = this.awaitingReceipt.get(event.receipt.messageId);
      if (awaiting) {
        this.awaitingReceipt.delete(event.receipt.messageId);
        awaiting.receipt = event.receipt;
        return;
      }
      // Sync fires and messages nobody listens to never reach the transport.
      const first = event.envelopes[0];
      const envelope: MessagioMessageEnvelope = first
        ? (({ listener: _listener, ...rest }) => rest)(first)
        : this.factory.envelopeOf(event.message, event.type, event.receipt);
      const record = this.addFired(envelope, event.envelopes, event.sync, event.message.constructor as MessagioClass);
      record.receipt = event.receipt;
    },
    started: (event: MessagioDeliveryEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      // Run again after it finished (MessagioAdmin.retry): a fresh set of attempts.
      if (record.status === 'completed' || record.status === 'failed') {
        record.attempts.length = 0;
        record.error = undefined;
        record.poison = false;
      }
      record.status = 'running';
      this.attempt(record, event.attempt);
    },
    completed: (event: MessagioDeliveryEndedEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      record.status = 'completed';
      record.error = undefined;
      this.attempt(record, event.attempt).outcome = 'completed';
      this.counters.completed++;
    },
    retrying: (event: MessagioDeliveryRetryEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      record.status = 'retrying';
      Object.assign(this.attempt(record, event.attempt), { outcome: 'retry', error: event.error, delay: event.delay });
      this.counters.retried++;
    },
    failed: (event: MessagioDeliveryFailedEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      record.status = 'failed';
      record.error = event.error;
      record.poison = event.poison;
      // A poison delivery never started its listener: its attempt is recorded here.
      Object.assign(this.attempt(record, event.attempt), { outcome: 'failed', error: event.error });
      this.counters.failed++;
    },
  };
}

/** The delivery running in this async context, if a listener is firing. */
function firedBy(): MessagioFiredBy | null {
  const context = currentMessagioContext();
  return context ? { messageId: context.messageId, listener: context.listener } : null;
}
