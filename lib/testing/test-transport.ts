import { MessagioClosedError } from '../errors/messagio-closed.error.js';
import type { DedupeDecision, DedupeSpec } from '../contract/dedupe.types.js';
import type { Delivery, DeliveryCounts, FailedFilter } from '../contract/delivery.types.js';
import type { MessagioScheduleInfo, StoredScheduleSpec, TickHandler } from '../contract/schedule.types.js';
import type { DeliveryState } from '../message/delivery-state.js';
import { MemoryTransport } from '../transports/memory/memory.transport.js';
import type { DeliveryHandler, MessagioTransport } from '../transports/messagio-transport.interface.js';
import type { VirtualClock } from './virtual-clock.js';

/** Called by the test transport around storing deliveries (the harness records and auto-drains). */
export interface TestTransportHooks {
  /** Before the deliveries are stored: may stop the transport (runaway guard). */
  beforeEnqueue?(deliveries: Delivery[]): void;
  /** After they are stored: `autoDrain` runs them here. */
  afterEnqueue?(): Promise<void>;
  /** A debounced fire gave its payload to the pending message `messageId` (its deliveries run with it). */
  merged?(messageId: string, payload: Record<string, unknown>): void;
}

/**
 * The transport of `MessagioTestingModule`: the in-memory transport (same
 * JSON round trip, priority order with FIFO ties, delays, retries with
 * backoff, idempotent delivery ids) on a virtual clock, one delivery at a
 * time, held until the harness lets deliveries run. It adds no pipeline of its
 * own: every delivery goes through the app's dispatcher.
 */
export class MessagioTestTransport implements MessagioTransport {
  readonly name = 'test';
  hooks: TestTransportHooks = {};
  private inner: MemoryTransport;
  private handler: DeliveryHandler | undefined;
  private ticks: TickHandler | undefined;
  /** Deliveries and schedule ticks running now: settle() waits for them. */
  private readonly running = new Set<Promise<unknown>>();
  private released = false;
  private closed = false;
  /** close() finished (the deliveries in flight settled): enqueue refuses. */
  private ended = false;

  constructor(readonly clock: VirtualClock) {
    this.inner = this.createInner();
  }

  /** True once the app's lifecycle started consuming (after `app.init()`). */
  get started(): boolean {
    return this.handler !== undefined;
  }

  async enqueue(deliveries: Delivery[]): Promise<void> {
    if (this.ended) throw new MessagioClosedError(this.name);
    this.hooks.beforeEnqueue?.(deliveries);
    await this.inner.enqueue(deliveries);
    await this.hooks.afterEnqueue?.();
  }

  async start(handler: DeliveryHandler, ticks?: TickHandler): Promise<void> {
    this.handler = handler;
    this.ticks = ticks;
    await this.inner.start(this.tracked, ticks && this.trackedTicks);
  }

  /** The memory transport's decision, recorded as a fire when its deliveries are stored. */
  async enqueueDeduplicated(deliveries: Delivery[], dedupe: DedupeSpec): Promise<DedupeDecision> {
    if (this.ended) throw new MessagioClosedError(this.name);
    // Decided and stored synchronously, the fire recorded before its deliveries are stored.
    const decision = this.inner.storeDeduplicated(deliveries, dedupe, (stored) => this.hooks.beforeEnqueue?.(stored));
    if (decision.deduplicated && dedupe.mode === 'debounce' && deliveries[0]) this.hooks.merged?.(decision.mergedInto, deliveries[0].envelope.payload);
    await this.hooks.afterEnqueue?.();
    return decision;
  }

  upsertSchedule(id: string, spec: StoredScheduleSpec): Promise<void> {
    return this.inner.upsertSchedule(id, spec);
  }

  removeSchedule(id: string): Promise<boolean> {
    return this.inner.removeSchedule(id);
  }

  listSchedules(): Promise<MessagioScheduleInfo[]> {
    return this.inner.listSchedules();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hold();
    await this.settle();
    this.ended = true;
    this.clock.clear();
  }

  inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    return this.inner.inspect(deliveryIds);
  }

  failed(filter: FailedFilter): Promise<DeliveryState[]> {
    return this.inner.failed(filter);
  }

  retry(deliveryIds: string[]): Promise<string[]> {
    return this.inner.retry(deliveryIds);
  }

  retryFailed(filter: FailedFilter): Promise<string[]> {
    return this.inner.retryFailed(filter);
  }

  counts(): Promise<DeliveryCounts> {
    return this.inner.counts();
  }

  /** Lets stored deliveries run, one at a time, in priority order. */
  release(): void {
    if (this.closed) return;
    this.released = true;
    void this.inner.resume();
  }

  /** Stops starting deliveries (the one running finishes). */
  hold(): void {
    this.released = false;
    void this.inner.pause();
  }

  /** Deliveries stored and runnable now, waiting for a retry or a delay, and running. */
  pending(): { waiting: number; scheduled: number; running: number } {
    return this.inner.pending();
  }

  /**
   * Resolves once nothing runs and, while released, nothing runnable is left
   * (deliveries waiting on the clock may remain). Waits on the deliveries
   * themselves, never on a timer.
   */
  async settle(): Promise<void> {
    for (;;) {
      const { waiting, running } = this.inner.pending();
      if (running === 0 && this.running.size === 0 && (waiting === 0 || !this.released || !this.handler)) return;
      if (this.running.size > 0) await Promise.allSettled([...this.running]);
      // Let the memory transport record the outcome and start the next delivery.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Drops everything stored and scheduled (between tests). Not while
   * deliveries run. Schedules stay as they stand (they are the app's
   * configuration, upserted at bootstrap): their next ticks are kept.
   */
  clear(): void {
    const previous = this.inner;
    this.clock.clear();
    this.inner = this.createInner();
    previous.handOverSchedules(this.inner);
  }

  private readonly tracked: DeliveryHandler = (data, attempt) => this.track(this.handler!(data, { ...attempt, transport: this.name }));

  private readonly trackedTicks: TickHandler = (tick) => this.track(this.ticks!(tick));

  private track<T>(run: Promise<T>): Promise<T> {
    this.running.add(run);
    void run.finally(() => this.running.delete(run)).catch(() => undefined);
    return run;
  }

  private createInner(): MemoryTransport {
    const inner = new MemoryTransport({
      worker: { concurrency: 1 },
      keepCompleted: Number.MAX_SAFE_INTEGER,
      keepFailed: Number.MAX_SAFE_INTEGER,
      // Held between drains: a bound would block the test's own fires.
      maxWaiting: Infinity,
      clock: this.clock,
    });
    void inner.pause();
    if (this.handler) void inner.start(this.tracked, this.ticks && this.trackedTicks);
    if (this.released) void inner.resume();
    return inner;
  }
}
