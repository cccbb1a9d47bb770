import { Logger } from '@nestjs/common';
import type { DeliveryOutcome } from '../delivery/dispatcher.js';
import { realClock, type MessagioClock } from './clock.js';
import { DeliveryHeap, type QueuedDelivery } from './delivery-heap.js';
import type { Delivery, DeliveryHandler, MessagioTransport } from './messagio-transport.interface.js';

/** Settings of the in-memory transport. */
export interface MemoryTransportOptions {
  /** Deliveries run at once; 1 by default. `false`: store only, never run (publish-only). */
  worker?: false | { concurrency: number };
  /** Finished delivery ids remembered for idempotency (like BullMQ's retention). */
  keepFinished?: number;
  clock?: MessagioClock;
}

/**
 * Deliveries in this process's memory, with the semantics of the BullMQ
 * transport: every envelope goes through JSON, priority order with FIFO ties,
 * delays, retries with backoff, idempotent delivery ids, bounded concurrency.
 * Nothing survives a restart: use it for single-process apps and tests.
 */
export class MemoryTransport implements MessagioTransport {
  readonly name: string = 'memory';
  private readonly logger = new Logger('Messagio');
  private readonly heap = new DeliveryHeap();
  private readonly timers = new Set<unknown>();
  /** Ids stored and not yet forgotten: pending, scheduled, running, or recently finished. */
  private readonly known = new Set<string>();
  private readonly finished: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private handler: DeliveryHandler | undefined;
  private seq = 0;
  private paused = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly clock: MessagioClock;
  private readonly concurrency: number;
  private readonly keepFinished: number;

  constructor(options: MemoryTransportOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.concurrency = options.worker === false ? 0 : (options.worker?.concurrency ?? 1);
    this.keepFinished = options.keepFinished ?? 1000;
  }

  async enqueue(deliveries: Delivery[]): Promise<void> {
    for (const d of deliveries) {
      if (this.known.has(d.id)) continue; // same id while kept: no-op, as with BullMQ job ids
      this.known.add(d.id);
      const item: QueuedDelivery = { id: d.id, data: JSON.stringify(d.envelope), priority: d.priority, attempt: 1, seq: this.seq++ };
      if (d.delay > 0) this.schedule(item, d.delay);
      else this.heap.push(item);
    }
    this.pump();
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

  /** Deliveries queued, scheduled (delay or retry) and running. */
  counts(): { waiting: number; scheduled: number; running: number } {
    return { waiting: this.heap.size, scheduled: this.timers.size, running: this.inFlight.size };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    const dropped = this.heap.clear().length;
    await Promise.all([...this.inFlight]);
    if (dropped > 0) this.logger.warn(`In-memory transport closed with ${dropped} queued deliveries not run.`);
    this.notifyIdle();
  }

  private schedule(item: QueuedDelivery, delay: number): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (this.closed) return;
      this.heap.push({ ...item, seq: this.seq++ });
      this.pump();
    }, delay);
    this.timers.add(handle);
  }

  private pump(): void {
    const handler = this.handler;
    while (handler && !this.paused && !this.closed && this.inFlight.size < this.concurrency && this.heap.size > 0) {
      const item = this.heap.pop()!;
      const run = this.run(item, handler).finally(() => {
        this.inFlight.delete(run);
        this.pump();
        this.notifyIdle();
      });
      this.inFlight.add(run);
    }
    this.notifyIdle();
  }

  private async run(item: QueuedDelivery, handler: DeliveryHandler): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await handler(JSON.parse(item.data), { attempt: item.attempt, transport: this.name });
    } catch (error) {
      // The dispatcher never throws; if it does, the delivery is not lost silently.
      this.logger.error(`Delivery ${item.id} crashed the dispatcher: ${(error as Error)?.message}`);
      this.forget(item.id);
      return;
    }
    if (outcome.status === 'retry') this.schedule({ ...item, attempt: item.attempt + 1 }, outcome.delay);
    else this.forget(item.id);
  }

  /** A finished id stays known (idempotency) until `keepFinished` newer ones push it out. */
  private forget(id: string): void {
    this.finished.push(id);
    if (this.finished.length > this.keepFinished) this.known.delete(this.finished.shift()!);
  }

  private isIdle(): boolean {
    return this.heap.size === 0 && this.timers.size === 0 && this.inFlight.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
