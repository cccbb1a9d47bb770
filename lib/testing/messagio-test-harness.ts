import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { MESSAGIO_TRANSPORT } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { MessagioContext } from '../message/messagio-context.js';
import { MessagioObservers } from '../delivery/messagio-observer.js';
import { ListenerRegistry } from '../listeners/listener.registry.js';
import { MessageTypesRegistry } from '../message/message-types.registry.js';
import { DeliveryFactory } from '../delivery/delivery.factory.js';
import type { Messagio, MessagioClass } from '../message/messagio.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import { MemoryOutboxStore, type MemoryOutboxTransaction } from '../outbox/memory-outbox.store.js';
import { MessagioOutbox } from '../outbox/messagio-outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { HarnessRecorder } from './harness-recorder.js';
import { ListenerControls } from './listener-controls.js';
import type { MessagioDeliveryRecord, MessagioFiredRecord } from './records.js';
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
  private readonly recorder: HarnessRecorder;
  private readonly controls: ListenerControls;
  private currentMode: MessagioTestingMode;
  private draining: Promise<MessagioDrainSummary> | undefined;
  private readonly removeObserver: () => void;

  constructor(
    @Inject(MESSAGIO_TRANSPORT) transport: MessagioTransport,
    observers: MessagioObservers,
    listeners: ListenerRegistry,
    private readonly types: MessageTypesRegistry,
    @Inject(MESSAGIO_TESTING_CONFIG) private readonly config: ResolvedTestingConfig,
    factory: DeliveryFactory,
    // The transactional outbox, when the app has one (nestjs-messagio/outbox): drain() relays its committed rows.
    @Optional() private readonly outbox?: MessagioOutbox,
    @Optional() private readonly relay?: OutboxRelay,
  ) {
    if (!(transport instanceof MessagioTestTransport)) {
      throw new MessagioConfigurationError('MessagioTestHarness needs the transport of MessagioTestingModule.forRoot().');
    }
    this.transport = transport;
    this.currentMode = config.mode;
    // A runaway drain stops starting deliveries at once; the drain loop then throws.
    this.recorder = new HarnessRecorder(types, factory, () => transport.hold());
    this.controls = new ListenerControls(listeners);
    transport.hooks = {
      beforeEnqueue: (deliveries) => this.recorder.recordEnqueued(deliveries),
      afterEnqueue: () => this.afterEnqueue(),
      merged: (messageId, payload) => this.recorder.recordMerged(messageId, payload),
    };
    this.removeObserver = observers.add(this.recorder.observer);
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
   * Runs `fn` in a transaction of the in-memory outbox (`MemoryOutboxStore`):
   * what it fires with `{ transaction }` is relayed by `drain()` once it
   * committed — when `fn` resolves — and never when it throws (rolled back).
   * In `autoDrain` mode, drains after the commit.
   */
  async transaction<T>(fn: (transaction: MemoryOutboxTransaction) => Promise<T> | T): Promise<T> {
    const store = this.outbox?.store;
    if (!(store instanceof MemoryOutboxStore)) {
      throw new MessagioConfigurationError(
        'harness.transaction() needs the in-memory outbox: import MessagioOutboxModule.forRoot({ store: new MemoryOutboxStore() }), ' +
          'or swap the store of the app\'s outbox with .overrideProvider(MESSAGIO_OUTBOX_STORE).useValue(new MemoryOutboxStore()).',
      );
    }
    const result = await store.transaction(fn);
    await this.afterEnqueue();
    return result;
  }

  /**
   * Moves the virtual clock forward by `ms`, running what falls due on the
   * way (and what that fires), but nothing due later: to test that a retry or
   * a delayed message has not happened yet. Schedules tick on the way
   * (`advance(24 * 3600_000)` runs 24 ticks of an hourly schedule); `drain()`
   * alone does not move the clock to a schedule's next tick.
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
    return this.recorder.records.filter((r) => name === undefined || r.type === name) as MessagioFiredRecord<T>[];
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
    return [...this.recorder.deliveryRecords.values()].filter(
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
    return buildTrace(traceId, this.recorder.records, this.recorder.deliveryRecords);
  }

  // ── Control over listeners ───────────────────────────────────────────────

  /**
   * Replaces a listener for this test: `fn` gets `(message, context)` instead
   * of the listener, with the same options (priority, retries). Returns a
   * function that puts the listener back; `reset()` does too.
   */
  stub<T extends Messagio = Messagio>(listenerId: string, fn: (message: T, context: MessagioContext) => unknown): () => void {
    return this.controls.stub(listenerId, fn);
  }

  /**
   * Makes the next `times` attempts of a listener throw `error` (default: a
   * `MessagioInjectedFailure`) instead of running it: exercises retries,
   * `retryOn` and faults. Give an error of a class in the listener's `retryOn`
   * to have it retried.
   */
  failNext(listenerId: string, times = 1, error?: Error | (() => Error)): this {
    this.controls.failNext(listenerId, times, error);
    return this;
  }

  /**
   * Forgets everything recorded, drops what is still queued or scheduled,
   * puts stubbed listeners back and returns to the module's mode. Call it in
   * `afterEach` (or `beforeEach`).
   */
  reset(): void {
    if (this.draining) throw new MessagioConfigurationError('reset() was called while drain() runs; await drain() first.');
    this.controls.restore();
    this.transport.clear();
    this.recorder.clear();
    this.currentMode = this.config.mode;
  }

  onModuleDestroy(): void {
    this.controls.restore();
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
    const before = { ...this.recorder.counters };
    if (this.currentMode !== 'capture') {
      if (!this.transport.started) {
        throw new MessagioConfigurationError(
          'Nothing consumes the test transport: initialise the app first (await moduleRef.init() / app.init()), ' +
            'and make sure MessagioTestingModule replaces the transport (overrideModule(MessagioModule) or imported instead of MessagioModule.forRoot()).',
        );
      }
      this.recorder.guardFires(max);
      this.transport.release();
      try {
        for (;;) {
          await this.transport.settle();
          // Committed outbox rows (fired before, or by the listeners that just ran) go to the transport first.
          if (this.relay !== undefined && (await this.relay.drain()) > 0) continue;
          const runaway = this.recorder.runaway();
          if (runaway) throw runaway;
          const next = clock.nextDue();
          if (next === undefined || (until !== undefined && next > until)) break;
          // drain() runs what is pending and due: a schedule always has a next tick, so
          // once no delivery waits on the clock it stops (advance() runs ticks up to its time).
          if (until === undefined && next > clock.now() && this.transport.pending().scheduled === 0) break;
          clock.fireNext();
        }
      } finally {
        this.transport.hold();
        this.recorder.endGuard();
      }
    }
    if (until !== undefined) clock.advanceTo(until);
    const after = this.recorder.counters;
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

  private typeName(type: MessagioClass | undefined): string | undefined {
    if (type === undefined) return undefined;
    if (typeof type !== 'function') throw new MessagioConfigurationError(`Give a message class, got ${String(type)}.`);
    return this.types.nameOf(type);
  }
}
