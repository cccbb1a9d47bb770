import { matchesFailedFilter, type DeliveryCounts, type FailedFilter } from '../../contract/delivery.types.js';
import { splitDeliveryId } from '../../message/delivery-id.js';
import { unknownState, type DeliveryState, type DeliveryStatus } from '../../message/delivery-state.js';
import type { ClockTimer } from '../clock-timer.js';
import type { QueuedDelivery } from './delivery-heap.js';
import { Fifo } from './fifo.js';

/** What the in-memory transport knows of one delivery; it is also the heap's entry while queued. */
export interface DeliveryRecord extends QueuedDelivery {
  type: string;
  status: DeliveryStatus;
  /** Attempts started. */
  attempts: number;
  /** Times `retry()` ran it again (its faults' ids differ by it). */
  cycle: number;
  error?: Error;
  finishedAt?: number;
  /** The timer of a delayed delivery (a debounced fire pushes it later). */
  timer?: ClockTimer;
}

/**
 * The in-memory transport's records, by delivery id: their retention (the
 * newest `keepCompleted` completed and `keepFailed` failed ones, as BullMQ
 * keeps jobs) and the admin's queries over them.
 */
export class DeliveryRecords {
  private readonly records = new Map<string, DeliveryRecord>();
  /** Finished ids, oldest first, per outcome: retention drops from the front. */
  private readonly completedIds = new Fifo<string>();
  private readonly failedIdSet = new Set<string>(); // a Set: retry() takes ids out of the middle

  constructor(
    private readonly keepCompleted: number,
    private readonly keepFailed: number,
  ) {}

  has(id: string): boolean {
    return this.records.has(id);
  }

  get(id: string): DeliveryRecord | undefined {
    return this.records.get(id);
  }

  add(record: DeliveryRecord): void {
    this.records.set(record.id, record);
  }

  /** Keeps a completed delivery for its id and state only (retry() takes failed ones): its data goes. */
  retainCompleted(record: DeliveryRecord): void {
    record.error = undefined;
    record.head = undefined;
    record.payload = undefined;
    record.data = '';
    this.retain(this.completedIds, record.id, this.keepCompleted);
  }

  retainFailed(record: DeliveryRecord): void {
    this.retain(this.failedIdSet, record.id, this.keepFailed);
  }

  /** A failed delivery, taken out of the failed ones to run again; undefined when it is not failed. */
  takeFailed(id: string): DeliveryRecord | undefined {
    const record = this.records.get(id);
    if (!record || record.status !== 'failed') return undefined;
    this.failedIdSet.delete(id);
    return record;
  }

  inspect(deliveryIds: string[]): DeliveryState[] {
    return deliveryIds.map((id) => {
      const record = this.records.get(id);
      return record ? toState(record) : unknownState(id);
    });
  }

  /** Ids of the failed deliveries matching the filter, newest first, at most `limit`. */
  failedIds(filter: FailedFilter, limit = Infinity): string[] {
    const found: string[] = [];
    for (const id of [...this.failedIdSet].reverse()) {
      if (!matchesFailedFilter(filter, this.records.get(id)!.type, splitDeliveryId(id).listener)) continue;
      found.push(id);
      if (found.length >= limit) break;
    }
    return found;
  }

  /** The states of the failed deliveries matching the filter, newest first, at most `limit`. */
  failedStates(filter: FailedFilter, limit: number): DeliveryState[] {
    return this.failedIds(filter, limit).map((id) => toState(this.records.get(id)!));
  }

  counts(): DeliveryCounts {
    const counts: DeliveryCounts = { queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 };
    for (const record of this.records.values()) if (record.status !== 'unknown') counts[record.status as keyof DeliveryCounts]++;
    return counts;
  }

  /** Keeps the newest `keep` finished ids of one kind; older ones are forgotten (their ids may be fired again). */
  private retain(ids: Set<string> | Fifo<string>, id: string, keep: number): void {
    ids.add(id);
    if (ids.size <= keep) return;
    const oldest = ids instanceof Fifo ? ids.shift() : takeOldest(ids);
    this.records.delete(oldest);
  }
}

function takeOldest(ids: Set<string>): string {
  const oldest = ids.values().next().value as string;
  ids.delete(oldest);
  return oldest;
}

function toState(record: DeliveryRecord): DeliveryState {
  return {
    id: record.id,
    ...splitDeliveryId(record.id),
    type: record.type,
    status: record.status,
    attempts: record.attempts,
    ...(record.error ? { error: `${record.error.name}: ${record.error.message}`, stack: record.error.stack } : {}),
    ...(record.finishedAt !== undefined ? { finishedAt: new Date(record.finishedAt) } : {}),
  };
}
