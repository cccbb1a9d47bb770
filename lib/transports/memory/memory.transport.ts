import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { MessagioClosedError } from '../../errors/messagio-closed.error.js';
import { MessagioUnavailableError } from '../../errors/messagio-unavailable.error.js';
import { realClock, type MessagioClock } from '../clock.js';
import { ClockTimer } from '../clock-timer.js';
import type { DedupeDecision, DedupeSpec } from '../../contract/dedupe.types.js';
import type { Delivery, DeliveryCounts, DeliveryOutcome, FailedFilter } from '../../contract/delivery.types.js';
import type { MessagioScheduleInfo, StoredScheduleSpec, TickHandler } from '../../contract/schedule.types.js';
import type { DeliveryState } from '../../message/delivery-state.js';
import { deliveryIdOf } from '../../message/delivery-id.js';
import { isCanonicalEnvelope, makeEnvelope, type MessagioEnvelope } from '../../message/envelope.js';
import { restoreEnvelope, snapshotPayload, type PayloadSnapshot } from '../json-snapshot.js';
import type { DeliveryHandler, MessagioTransport } from '../messagio-transport.interface.js';
import { settleWithin } from '../settle-within.js';
import { BacklogGate } from './backlog-gate.js';
import { DedupeWindows } from './dedupe-windows.js';
import { DeliveryHeap } from './delivery-heap.js';
import { DeliveryRecords, type DeliveryRecord } from './delivery-records.js';
import { checkBound, type MemoryTransportOptions } from './memory-transport.options.js';
import { MemorySchedules, type MemorySchedule } from './memory-schedules.js';

const EMPTY_PAYLOAD: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * The async context this module was loaded in (the process's root, in
 * practice). Consumer loops and timers start in it: a delivery must not run in
 * the context of whatever made it runnable (a listener of another message
 * that fired, a caller of fire(), a retry timer), or its observers, transforms
 * and validators would see that message's trace, and fires from there would
 * inherit it.
 */
const detached = new AsyncResource('MessagioMemoryTransport');

/** The transport whose consumer loop the current async call chain runs in: its fires are never held (see holds). */
const laneOf = new AsyncLocalStorage<MemoryTransport>();

/**
 * Deliveries in this process's memory, with the semantics of the BullMQ
 * transport: every envelope goes through JSON, priority order with FIFO ties,
 * delays, retries with backoff, idempotent delivery ids, bounded concurrency,
 * bounded retention of finished deliveries. Nothing survives a restart: use it
 * for single-process apps and tests.
 */
export class MemoryTransport implements MessagioTransport {
  readonly name: string = 'memory';
  private readonly logger = new Logger('Messagio');
  private readonly heap = new DeliveryHeap<DeliveryRecord>();
  private readonly timers = new Set<ClockTimer>();
  private readonly records: DeliveryRecords;
  /** Loops taking deliveries off the heap, at most `concurrency` of them. */
  private readonly lanes = new Set<Promise<void>>();
  private running = 0;
  private handler: DeliveryHandler | undefined;
  private ticks: TickHandler | undefined;
  /** Schedule ticks running now (they take no lane: a tick only fires a message). */
  private readonly ticking = new Set<Promise<void>>();
  private readonly schedules: MemorySchedules;
  private readonly dedupe: DedupeWindows;
  private seq = 0;
  private paused = false;
  /** close() began: nothing more starts. */
  private closed = false;
  /** close() finished: enqueue refuses. */
  private ended = false;
  private idleWaiters: Array<() => void> = [];
  /** Fires waiting for room, oldest first (see holds). */
  private readonly gate: BacklogGate;
  private readonly clock: MessagioClock;
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private readonly shutdownTimeout: number;

  constructor(options: MemoryTransportOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.concurrency = options.worker === false ? 0 : (options.worker?.concurrency ?? 1);
    this.records = new DeliveryRecords(options.keepCompleted ?? 1000, options.keepFailed ?? 10_000);
    this.maxWaiting = checkBound(options.maxWaiting ?? 1000, 'maxWaiting', true);
    this.shutdownTimeout = checkBound(options.shutdownTimeout ?? 30_000, 'shutdownTimeout', false);
    this.gate = new BacklogGate(
      (deliveries) => this.store(deliveries),
      () => this.heap.size < this.maxWaiting,
    );
    this.schedules = new MemorySchedules(
      this.clock,
      (fn, ms) => detached.runInAsyncScope(() => new ClockTimer(this.clock, fn, ms)),
      (schedule) => this.tick(schedule),
    );
    this.dedupe = new DedupeWindows(
      (id) => this.records.get(id)?.status,
      () => this.clock.now(),
    );
  }

  /**
   * Stores the deliveries, once there is room: while `maxWaiting` or more
   * deliveries wait and consumers run, it waits for one to start (see holds),
   * so a tight loop of fires goes no faster than this process consumes and
   * the backlog (and memory) stays bounded.
   */
  async enqueue(deliveries: Delivery[]): Promise<void> {
    if (this.ended) throw new MessagioClosedError(this.name);
    if (this.heap.size >= this.maxWaiting && this.holds(deliveries)) return this.gate.hold(deliveries);
    this.store(deliveries);
  }

  /**
   * Stores a message's deliveries unless another message holds the dedupe key
   * (dedupe-windows.ts): one decision for all of them, made synchronously. A
   * debounced fire that finds its key held gives the holder its payload and
   * pushes its deliveries `ttl` later. Never held by backpressure: what it
   * stores waits (debounce) or replaces nothing else.
   */
  async enqueueDeduplicated(deliveries: Delivery[], dedupe: DedupeSpec): Promise<DedupeDecision> {
    return this.storeDeduplicated(deliveries, dedupe);
  }

  /** `enqueueDeduplicated`, synchronously; `beforeStore` sees the deliveries of a fire that is not deduplicated before they are stored. */
  storeDeduplicated(deliveries: Delivery[], dedupe: DedupeSpec, beforeStore?: (deliveries: Delivery[]) => void): DedupeDecision {
    if (this.ended) throw new MessagioClosedError(this.name);
    const messageId = deliveries[0]?.envelope.id;
    if (messageId === undefined) return { deduplicated: false };
    const holder = this.dedupe.holder(dedupe);
    if (holder !== undefined && holder !== messageId) {
      if (dedupe.mode === 'debounce') this.merge(holder, deliveries, dedupe.ttl!);
      return { deduplicated: true, mergedInto: holder };
    }
    if (holder === undefined) this.dedupe.take(dedupe, messageId, deliveries.map((d) => d.id));
    beforeStore?.(deliveries);
    this.store(dedupe.mode === 'debounce' ? deliveries.map((d) => ({ ...d, delay: dedupe.ttl! })) : deliveries);
    return { deduplicated: false };
  }

  /** A debounced fire merged into `holder`: its deliveries take the fire's payload and wait `ttl` from now. */
  private merge(holder: string, deliveries: Delivery[], ttl: number): void {
    for (const d of deliveries) {
      const record = this.records.get(deliveryIdOf(holder, d.envelope.listener));
      if (!record || record.status !== 'delayed') continue;
      if (record.head) record.payload = snapshotPayload(d.envelope.payload);
      else record.data = JSON.stringify({ ...(JSON.parse(record.data) as object), payload: d.envelope.payload });
      if (record.timer) {
        record.timer.cancel();
        this.timers.delete(record.timer);
      }
      this.schedule(record, ttl);
    }
  }

  async upsertSchedule(id: string, spec: StoredScheduleSpec): Promise<void> {
    if (this.ended) throw new MessagioClosedError(this.name);
    this.schedules.upsert(id, spec);
  }

  async removeSchedule(id: string): Promise<boolean> {
    return this.schedules.remove(id);
  }

  async listSchedules(): Promise<MessagioScheduleInfo[]> {
    return this.schedules.list();
  }

  /** Hands this transport's schedules, as they stand, to another (the test transport's reset). */
  handOverSchedules(to: MemoryTransport): void {
    to.schedules.adopt(this.schedules.all());
  }

  /** A tick fell due: it runs now while consumers run (detached, like a lane), else it waits for them. */
  private tick(schedule: MemorySchedule): boolean {
    const ticks = this.ticks;
    if (!ticks || this.concurrency === 0 || this.paused || this.closed) return false;
    const at = this.schedules.take(schedule);
    const run: Promise<void> = detached
      .runInAsyncScope(() => ticks({ schedule: schedule.id, at, id: `${schedule.id}@${at}`, lastAttempt: true }))
      .then(
        () => undefined,
        (error: unknown) => this.logger.error(`Tick of schedule "${schedule.id}" failed: ${(error as Error)?.message}`),
      )
      .finally(() => {
        this.ticking.delete(run);
        this.notifyIdle();
      });
    this.ticking.add(run);
    return true;
  }

  private store(deliveries: Delivery[]): void {
    // What is stored is a snapshot, as a broker's would be: a private copy of
    // a canonical envelope's fields plus its payload's snapshot (json-snapshot.ts),
    // made once for the deliveries of one message, which share the payload
    // object; anything else as JSON.
    let payload: unknown;
    let snapshot: PayloadSnapshot | undefined;
    for (const d of deliveries) {
      if (this.records.has(d.id)) continue; // same id while kept: no-op, as with BullMQ job ids
      const envelope = d.envelope;
      let data = '';
      let head: MessagioEnvelope | undefined;
      if (isCanonicalEnvelope(envelope)) {
        if (envelope.payload !== payload) {
          payload = envelope.payload;
          snapshot = snapshotPayload(envelope.payload);
        }
        head = makeEnvelope(envelope, envelope.listener, EMPTY_PAYLOAD);
      } else {
        data = JSON.stringify(envelope);
      }
      const record: DeliveryRecord = {
        id: d.id,
        data,
        head,
        payload: head ? snapshot : undefined,
        priority: d.priority,
        attempt: 1,
        seq: this.seq++,
        type: envelope?.type,
        status: 'queued',
        attempts: 0,
        cycle: 0,
        error: undefined,
        finishedAt: undefined,
      };
      this.records.add(record);
      if (d.delay > 0) this.schedule(record, d.delay);
      else this.heap.push(record);
    }
    this.pump();
  }

  /**
   * Whether a fire waits for room. Only while consumers run to make it
   * (started, not publish-only, not paused: else it could wait forever), and never
   * for a fire made from one of this transport's deliveries (a listener, an
   * observer, a fault report): it would wait for the very lane it holds, a
   * deadlock at concurrency 1. Delayed deliveries do not wait to run, so a
   * fire of only those is never held either.
   */
  private holds(deliveries: Delivery[]): boolean {
    if (this.handler === undefined || this.concurrency === 0 || this.paused || this.closed) return false;
    if (laneOf.getStore() === this) return false;
    return deliveries.some((d) => !(d.delay > 0));
  }

  async start(handler: DeliveryHandler, ticks?: TickHandler): Promise<void> {
    this.handler = handler;
    this.ticks = ticks;
    this.pump();
    this.schedules.runDue();
  }

  async pause(): Promise<void> {
    this.paused = true;
    // Nothing makes room while paused: held fires are stored now, as new ones are.
    this.gate.admit(true);
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.pump();
    this.schedules.runDue();
  }

  /** Resolves when nothing is queued, scheduled or running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Deliveries queued, scheduled (delay or retry wait) and running right now. */
  pending(): { waiting: number; scheduled: number; running: number } {
    return { waiting: this.heap.size, scheduled: this.timers.size, running: this.running + this.ticking.size };
  }

  async inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    return this.records.inspect(deliveryIds);
  }

  async failed(filter: FailedFilter): Promise<DeliveryState[]> {
    return this.records.failedStates(filter, filter.limit ?? 100);
  }

  async retry(deliveryIds: string[]): Promise<string[]> {
    const retried: string[] = [];
    for (const id of deliveryIds) {
      const record = this.records.takeFailed(id);
      if (!record) continue;
      record.status = 'queued';
      record.error = undefined;
      record.attempts = 0;
      record.attempt = 1;
      record.cycle++;
      record.seq = this.seq++;
      this.heap.push(record);
      retried.push(id);
    }
    this.pump();
    return retried;
  }

  /** Retries every failed delivery matching the filter (no awaits in between: none can fail again meanwhile). */
  async retryFailed(filter: FailedFilter): Promise<string[]> {
    return this.retry(this.records.failedIds(filter));
  }

  async counts(): Promise<DeliveryCounts> {
    return this.records.counts();
  }

  /**
   * Stops taking work: fires still held reject (not stored), queued and
   * scheduled deliveries are dropped, and deliveries in flight are awaited for
   * at most `shutdownTimeout` ms, so one hung listener cannot block
   * `app.close()`.
   */
  async close(): Promise<void> {
    this.closed = true;
    // The deliveries in flight finish first (for at most shutdownTimeout): what
    // their listeners fire meanwhile is stored, then dropped below with the rest and counted.
    this.schedules.clear();
    const inFlight = [...this.lanes, ...this.ticking];
    if (inFlight.length > 0 && (await settleWithin(Promise.all(inFlight), this.shutdownTimeout)) === 'timeout') {
      const running = this.running;
      this.logger.warn(
        `In-memory transport closed with ${running} ${running === 1 ? 'delivery' : 'deliveries'} still running after shutdownTimeout (${this.shutdownTimeout} ms): ` +
          'not waiting for them any longer (nothing in memory survives close).',
      );
    }
    this.ended = true;
    this.dedupe.clear();
    const delayed = this.timers.size;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.gate.refuseAll(
      () => new MessagioUnavailableError('The in-memory transport closed while this fire waited for room in its backlog: the message was not stored.'),
    );
    const dropped = this.heap.clear().length;
    if (dropped + delayed > 0) this.logger.warn(`In-memory transport closed with ${dropped} queued and ${delayed} delayed deliveries not run.`);
    this.notifyIdle();
  }

  private schedule(record: DeliveryRecord, delay: number): void {
    record.status = 'delayed';
    // Armed detached: the timer neither keeps nor hands on the context of whoever scheduled it.
    const timer: ClockTimer = detached.runInAsyncScope(
      () =>
        new ClockTimer(
          this.clock,
          () => {
            this.timers.delete(timer);
            record.timer = undefined;
            if (this.closed) return;
            record.status = 'queued';
            record.seq = this.seq++;
            this.heap.push(record);
            this.pump();
          },
          delay,
        ),
    );
    this.timers.add(timer);
    record.timer = timer;
  }

  private pump(): void {
    const handler = this.handler;
    while (handler && this.runnable() && this.lanes.size < this.concurrency) detached.runInAsyncScope(this.startLane, this, handler);
    this.notifyIdle();
  }

  /** Starts a consumer loop; called in the detached context, so the loop and its deliveries start with no one's context. */
  private startLane(handler: DeliveryHandler): void {
    const lane: Promise<void> = laneOf
      .run(this, () => this.lane(handler))
      .finally(() => {
        this.lanes.delete(lane);
        // A delivery stored after this loop found the heap empty, but before it
        // ended, saw every lane taken and started none: start one for it now.
        this.pump();
      });
    this.lanes.add(lane);
  }

  private runnable(): boolean {
    return !this.paused && !this.closed && this.heap.size > 0;
  }

  /**
   * Runs deliveries one after another while there are any: a loop per slot,
   * awaiting the handler directly (no promise chain of its own per delivery).
   */
  private async lane(handler: DeliveryHandler): Promise<void> {
    // Deliveries run from the next microtask on, never synchronously inside the
    // shared detached scope: on Node's async-hooks AsyncLocalStorage (before
    // AsyncContextFrame), a store entered by a listener running there would be
    // written onto that scope and handed to every lane started after it.
    await Promise.resolve();
    while (this.runnable()) {
      const record = this.heap.pop()!;
      if (this.gate.size > 0) this.gate.admit();
      this.running++;
      record.status = 'running';
      record.attempts++;
      let outcome: DeliveryOutcome;
      try {
        // What a broker would give back, fresh for every attempt.
        const head = record.head;
        const data = head ? restoreEnvelope(head, record.payload!) : JSON.parse(record.data);
        outcome = await handler(data, { attempt: record.attempt, transport: this.name, cycle: record.cycle, id: record.id, name: record.type });
      } catch (error) {
        // The handler is not supposed to throw; if it does, record it rather than lose the delivery.
        outcome = { status: 'failed', envelope: undefined, error: error instanceof Error ? error : new Error(String(error)), poison: false };
      }
      this.settle(record, outcome);
      this.running--;
    }
  }

  /** Records how an attempt ended: rescheduled for a retry, or finished and retained. */
  private settle(record: DeliveryRecord, outcome: DeliveryOutcome): void {
    if (outcome.status === 'retry') {
      record.error = outcome.error;
      record.attempt++;
      this.schedule(record, outcome.delay);
      return;
    }
    record.status = outcome.status;
    record.finishedAt = this.clock.now();
    if (outcome.status === 'failed') {
      record.error = outcome.error;
      this.records.retainFailed(record);
    } else {
      // Retention holds no payloads: a completed delivery keeps its id and state only.
      this.records.retainCompleted(record);
    }
  }

  private isIdle(): boolean {
    return this.heap.size === 0 && this.timers.size === 0 && this.running === 0 && this.ticking.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
