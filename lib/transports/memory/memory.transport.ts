import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { MessagioClosedError } from '../../errors/messagio-closed.error.js';
import { MessagioUnavailableError } from '../../errors/messagio-unavailable.error.js';
import { realClock, type MessagioClock } from '../clock.js';
import { ClockTimer } from '../clock-timer.js';
import { DeliveryHeap, type QueuedDelivery } from './delivery-heap.js';
import { matchesFailedFilter, type Delivery, type DeliveryCounts, type DeliveryOutcome, type FailedFilter } from '../../contract/delivery.types.js';
import { splitDeliveryId } from '../../message/delivery-id.js';
import { unknownState, type DeliveryState, type DeliveryStatus } from '../../message/delivery-state.js';
import { copyAsJson, isCanonicalEnvelope, makeEnvelope, type MessagioEnvelope } from '../../message/envelope.js';
import type { DeliveryHandler, MessagioTransport } from '../messagio-transport.interface.js';
import { checkBound, type MemoryTransportOptions } from './memory-transport.options.js';

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

/** A fire waiting for room in the backlog. */
interface HeldFire {
  deliveries: Delivery[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/** What the transport knows of one delivery; it is also the heap's entry while queued. */
interface DeliveryRecord extends QueuedDelivery {
  type: string;
  status: DeliveryStatus;
  /** Attempts started. */
  attempts: number;
  /** Times `retry()` ran it again (its faults' ids differ by it). */
  cycle: number;
  error?: Error;
  finishedAt?: number;
}

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
  private readonly records = new Map<string, DeliveryRecord>();
  /** Finished ids, oldest first, per outcome: retention drops from the front. */
  private readonly completedIds = new Fifo<string>();
  private readonly failedIds = new Set<string>(); // a Set: retry() takes ids out of the middle
  /** Loops taking deliveries off the heap, at most `concurrency` of them. */
  private readonly lanes = new Set<Promise<void>>();
  private running = 0;
  private handler: DeliveryHandler | undefined;
  private seq = 0;
  private paused = false;
  /** close() began: nothing more starts. */
  private closed = false;
  /** close() finished: enqueue refuses. */
  private ended = false;
  private idleWaiters: Array<() => void> = [];
  /** Fires waiting for room, oldest first (see holds). */
  private readonly held = new Fifo<HeldFire>();
  private readonly clock: MessagioClock;
  private readonly concurrency: number;
  private readonly keepCompleted: number;
  private readonly keepFailed: number;
  private readonly maxWaiting: number;
  private readonly shutdownTimeout: number;

  constructor(options: MemoryTransportOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.concurrency = options.worker === false ? 0 : (options.worker?.concurrency ?? 1);
    this.keepCompleted = options.keepCompleted ?? 1000;
    this.keepFailed = options.keepFailed ?? 10_000;
    this.maxWaiting = checkBound(options.maxWaiting ?? 1000, 'maxWaiting', true);
    this.shutdownTimeout = checkBound(options.shutdownTimeout ?? 30_000, 'shutdownTimeout', false);
  }

  /**
   * Stores the deliveries, once there is room: while `maxWaiting` or more
   * deliveries wait and consumers run, it waits for one to start (see holds),
   * so a tight loop of fires goes no faster than this process consumes and
   * the backlog (and memory) stays bounded.
   */
  async enqueue(deliveries: Delivery[]): Promise<void> {
    if (this.ended) throw new MessagioClosedError(this.name);
    if (this.heap.size >= this.maxWaiting && this.holds(deliveries)) return this.hold(deliveries);
    this.store(deliveries);
  }

  private store(deliveries: Delivery[]): void {
    // What is stored is a snapshot, as a broker's would be: a private copy of
    // a canonical envelope's fields plus its payload as JSON gives it back
    // (copied for a flat payload; else its JSON, made once for the deliveries
    // of one message, which share the payload object); anything else as JSON.
    let payload: unknown;
    let flat: Record<string, unknown> | undefined;
    let payloadJson = '';
    for (const d of deliveries) {
      if (this.records.has(d.id)) continue; // same id while kept: no-op, as with BullMQ job ids
      const envelope = d.envelope;
      let data: string;
      let head: MessagioEnvelope | undefined;
      if (isCanonicalEnvelope(envelope)) {
        if (envelope.payload !== payload) {
          payload = envelope.payload;
          flat = copyAsJson(envelope.payload);
          payloadJson = flat ? '' : JSON.stringify(payload);
        }
        head = makeEnvelope(envelope, envelope.listener, flat ?? EMPTY_PAYLOAD);
        data = payloadJson;
      } else {
        data = JSON.stringify(envelope);
      }
      const record: DeliveryRecord = {
        id: d.id,
        data,
        head,
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
      this.records.set(d.id, record);
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

  private hold(deliveries: Delivery[]): Promise<void> {
    return new Promise((resolve, reject) => this.held.add({ deliveries, resolve, reject }));
  }

  /** Stores held fires, oldest first, while there is room (or all of them: `always`). */
  private admit(always = false): void {
    while (this.held.size > 0 && (always || this.heap.size < this.maxWaiting)) {
      const fire = this.held.shift();
      try {
        this.store(fire.deliveries);
        fire.resolve();
      } catch (error) {
        fire.reject(error as Error);
      }
    }
  }

  async start(handler: DeliveryHandler): Promise<void> {
    this.handler = handler;
    this.pump();
  }

  async pause(): Promise<void> {
    this.paused = true;
    // Nothing makes room while paused: held fires are stored now, as new ones are.
    this.admit(true);
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.pump();
  }

  /** Resolves when nothing is queued, scheduled or running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Deliveries queued, scheduled (delay or retry wait) and running right now. */
  pending(): { waiting: number; scheduled: number; running: number } {
    return { waiting: this.heap.size, scheduled: this.timers.size, running: this.running };
  }

  async inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    return deliveryIds.map((id) => {
      const record = this.records.get(id);
      return record ? toState(id, record) : unknownState(id);
    });
  }

  async failed(filter: FailedFilter): Promise<DeliveryState[]> {
    const limit = filter.limit ?? 100;
    const found: DeliveryState[] = [];
    for (const id of [...this.failedIds].reverse()) {
      const record = this.records.get(id)!;
      if (!matchesFailedFilter(filter, record.type, splitDeliveryId(id).listener)) continue;
      found.push(toState(id, record));
      if (found.length >= limit) break;
    }
    return found;
  }

  async retry(deliveryIds: string[]): Promise<string[]> {
    const retried: string[] = [];
    for (const id of deliveryIds) {
      const record = this.records.get(id);
      if (!record || record.status !== 'failed') continue;
      this.failedIds.delete(id);
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
    const ids: string[] = [];
    for (const id of [...this.failedIds].reverse()) {
      if (matchesFailedFilter(filter, this.records.get(id)!.type, splitDeliveryId(id).listener)) ids.push(id);
    }
    return this.retry(ids);
  }

  async counts(): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 };
    for (const record of this.records.values()) if (record.status !== 'unknown') counts[record.status]++;
    return counts;
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
    if (this.lanes.size > 0 && !(await settlesWithin(Promise.all([...this.lanes]), this.shutdownTimeout))) {
      const running = this.running;
      this.logger.warn(
        `In-memory transport closed with ${running} ${running === 1 ? 'delivery' : 'deliveries'} still running after shutdownTimeout (${this.shutdownTimeout} ms): ` +
          'not waiting for them any longer (nothing in memory survives close).',
      );
    }
    this.ended = true;
    const delayed = this.timers.size;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    while (this.held.size > 0) {
      this.held
        .shift()
        .reject(new MessagioUnavailableError('The in-memory transport closed while this fire waited for room in its backlog: the message was not stored.'));
    }
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
        this.notifyIdle();
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
      if (this.held.size > 0) this.admit();
      this.running++;
      record.status = 'running';
      record.attempts++;
      let outcome: DeliveryOutcome;
      try {
        // What a broker would give back, fresh for every attempt: the flat snapshot copied, else the JSON parsed.
        const head = record.head;
        const data = head
          ? makeEnvelope(head, head.listener, record.data === '' ? copyAsJson(head.payload)! : (JSON.parse(record.data) as Record<string, unknown>))
          : JSON.parse(record.data);
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
      this.retain(this.failedIds, record.id, this.keepFailed);
    } else {
      // A completed delivery is kept for its id and state only (retry() takes
      // failed ones): let its data go, so retention holds no payloads.
      record.error = undefined;
      record.head = undefined;
      record.data = '';
      this.retain(this.completedIds, record.id, this.keepCompleted);
    }
  }

  /** Keeps the newest `keep` finished ids of one kind; older ones are forgotten (their ids may be fired again). */
  private retain(ids: Set<string> | Fifo<string>, id: string, keep: number): void {
    ids.add(id);
    if (ids.size <= keep) return;
    const oldest = ids instanceof Fifo ? ids.shift() : takeOldest(ids);
    this.records.delete(oldest);
  }

  private isIdle(): boolean {
    return this.heap.size === 0 && this.timers.size === 0 && this.running === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function takeOldest(ids: Set<string>): string {
  const oldest = ids.values().next().value as string;
  ids.delete(oldest);
  return oldest;
}

/**
 * A queue where only the oldest ever leaves (finished ids, held fires): an
 * array with a moving head. (A Set used as a queue slows down: every delete
 * leaves a hole at its front that the next "oldest" lookup walks over; and an
 * array's shift() copies the whole array once it is large.)
 */
class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  add(item: T): void {
    this.items.push(item);
  }

  /** The oldest item; only called when size > 0. */
  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head] = undefined; // let it go now, not at the next compaction
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Whether `promise` settles within `ms` of wall-clock time (shutdown is wall-clock, whatever the transport's clock). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ClockTimer | undefined;
  const timeout = new Promise<false>((resolve) => (timer = new ClockTimer(realClock, () => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    timer!.cancel();
  }
}

function toState(id: string, record: DeliveryRecord): DeliveryState {
  return {
    id,
    ...splitDeliveryId(id),
    type: record.type,
    status: record.status,
    attempts: record.attempts,
    ...(record.error ? { error: `${record.error.name}: ${record.error.message}`, stack: record.error.stack } : {}),
    ...(record.finishedAt !== undefined ? { finishedAt: new Date(record.finishedAt) } : {}),
  };
}
