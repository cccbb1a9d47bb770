import { Logger } from '@nestjs/common';
import { MessagioClosedError } from '../errors/messagio-closed.error.js';
import type { DeliveryOutcome } from '../delivery/dispatcher.js';
import { realClock, type MessagioClock } from './clock.js';
import { DeliveryHeap, type QueuedDelivery } from './delivery-heap.js';
import {
  splitDeliveryId,
  type DeliveryCounts,
  type DeliveryState,
  type DeliveryStatus,
  type FailedFilter,
} from './delivery-state.js';
import { copyAsJson, isCanonicalEnvelope, makeEnvelope, type MessagioEnvelope } from '../message/envelope.js';
import type { Delivery, DeliveryHandler, MessagioTransport } from './messagio-transport.interface.js';

/** Settings of the in-memory transport. */
export interface MemoryTransportOptions {
  /** Deliveries run at once; 1 by default. `false`: store only, never run (publish-only). */
  worker?: false | { concurrency: number };
  /** Completed deliveries remembered (idempotency and status), like BullMQ's retention. */
  keepCompleted?: number;
  /** Failed deliveries remembered (status, `failed()`, `retry()`). */
  keepFailed?: number;
  clock?: MessagioClock;
}

const EMPTY_PAYLOAD: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** Waiting deliveries past which `enqueue` yields to the consumers (see enqueue). */
const YIELD_AT = 1000;

/** What the transport knows of one delivery; it is also the heap's entry while queued. */
interface DeliveryRecord extends QueuedDelivery {
  type: string;
  status: DeliveryStatus;
  /** Attempts started. */
  attempts: number;
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
  private readonly timers = new Set<unknown>();
  private readonly records = new Map<string, DeliveryRecord>();
  /** Finished ids, oldest first, per outcome: retention drops from the front. */
  private readonly completedIds = new RetainedIds();
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
  private readonly clock: MessagioClock;
  private readonly concurrency: number;
  private readonly keepCompleted: number;
  private readonly keepFailed: number;

  constructor(options: MemoryTransportOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.concurrency = options.worker === false ? 0 : (options.worker?.concurrency ?? 1);
    this.keepCompleted = options.keepCompleted ?? 1000;
    this.keepFailed = options.keepFailed ?? 10_000;
  }

  async enqueue(deliveries: Delivery[]): Promise<void> {
    if (this.ended) throw new MessagioClosedError(this.name);
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
        error: undefined,
        finishedAt: undefined,
      };
      this.records.set(d.id, record);
      if (d.delay > 0) this.schedule(record, d.delay);
      else this.heap.push(record);
    }
    this.pump();
    // A tight loop of fires would otherwise outrun this process's own
    // consumers without bound (every waiting delivery holds memory): past
    // YIELD_AT waiting deliveries, let them run before fire() resolves.
    if (this.heap.size >= YIELD_AT && this.lanes.size > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async start(handler: DeliveryHandler): Promise<void> {
    this.handler = handler;
    this.pump();
  }

  async pause(): Promise<void> {
    this.paused = true;
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
      return record ? toState(id, record) : { id, ...splitDeliveryId(id), status: 'unknown' as const, attempts: 0 };
    });
  }

  async failed({ type, listener, limit = 100 }: FailedFilter): Promise<DeliveryState[]> {
    const found: DeliveryState[] = [];
    for (const id of [...this.failedIds].reverse()) {
      const record = this.records.get(id)!;
      if (type !== undefined && record.type !== type) continue;
      if (listener !== undefined && splitDeliveryId(id).listener !== listener) continue;
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
      record.seq = this.seq++;
      this.heap.push(record);
      retried.push(id);
    }
    this.pump();
    return retried;
  }

  async counts(): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 };
    for (const record of this.records.values()) if (record.status !== 'unknown') counts[record.status]++;
    return counts;
  }

  async close(): Promise<void> {
    this.closed = true;
    // The deliveries in flight finish first; what their listeners fire
    // meanwhile is stored, then dropped below with the rest and counted.
    await Promise.all([...this.lanes]);
    this.ended = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    const dropped = this.heap.clear().length;
    if (dropped > 0) this.logger.warn(`In-memory transport closed with ${dropped} queued deliveries not run.`);
    this.notifyIdle();
  }

  private schedule(record: DeliveryRecord, delay: number): void {
    record.status = 'delayed';
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (this.closed) return;
      record.status = 'queued';
      record.seq = this.seq++;
      this.heap.push(record);
      this.pump();
    }, delay);
    this.timers.add(handle);
  }

  private pump(): void {
    const handler = this.handler;
    while (handler && this.runnable() && this.lanes.size < this.concurrency) {
      const lane = this.lane(handler).finally(() => {
        this.lanes.delete(lane);
        this.notifyIdle();
      });
      this.lanes.add(lane);
    }
    this.notifyIdle();
  }

  private runnable(): boolean {
    return !this.paused && !this.closed && this.heap.size > 0;
  }

  /**
   * Runs deliveries one after another while there are any: a loop per slot,
   * awaiting the handler directly (no promise chain of its own per delivery).
   */
  private async lane(handler: DeliveryHandler): Promise<void> {
    while (this.runnable()) {
      const record = this.heap.pop()!;
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
        outcome = await handler(data, { attempt: record.attempt, transport: this.name });
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
  private retain(ids: Set<string> | RetainedIds, id: string, keep: number): void {
    ids.add(id);
    if (ids.size <= keep) return;
    const oldest = ids instanceof RetainedIds ? ids.shift() : takeOldest(ids);
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
 * Finished ids, oldest first, where only the oldest ever leaves: an array
 * with a moving head. (A Set used as a queue slows down: every delete leaves a
 * hole at its front that the next "oldest" lookup walks over.)
 */
class RetainedIds {
  private ids: string[] = [];
  private head = 0;

  get size(): number {
    return this.ids.length - this.head;
  }

  add(id: string): void {
    this.ids.push(id);
  }

  shift(): string {
    const id = this.ids[this.head]!;
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
    return id;
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
