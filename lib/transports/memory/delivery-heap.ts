import type { MessagioEnvelope } from '../../message/envelope.js';
import type { PayloadSnapshot } from '../json-snapshot.js';

/** An entry of the in-memory queue. */
export interface QueuedDelivery {
  id: string;
  /**
   * What a broker would store: a canonical envelope as `head` (a private copy
   * of its fields) and `payload` (its snapshot, shared by the deliveries of
   * one message); any other data as JSON in `data`.
   */
  data: string;
  head?: MessagioEnvelope;
  payload?: PayloadSnapshot;
  priority: number;
  attempt: number;
  /** Insertion order: FIFO among equal priorities. */
  seq: number;
}

/** Binary heap: highest priority first, then oldest first. */
export class DeliveryHeap<T extends QueuedDelivery = QueuedDelivery> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      const swap = items[i]!;
      items[i] = items[parent]!;
      items[parent] = swap;
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && before(items[l]!, items[best]!)) best = l;
        if (r < items.length && before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        const swap = items[i]!;
        items[i] = items[best]!;
        items[best] = swap;
        i = best;
      }
    }
    return top;
  }

  clear(): T[] {
    return this.items.splice(0);
  }
}

function before(a: QueuedDelivery, b: QueuedDelivery): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
}
