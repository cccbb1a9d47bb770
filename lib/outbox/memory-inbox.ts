import type { MemoryOutboxStore } from './memory-outbox.store.js';
import type { InboxStore } from './messagio-inbox.js';

/**
 * The inbox without a database (with `MemoryOutboxStore`, for tests): the
 * same semantics as PostgreSQL's. A processed id is recorded when the
 * listener resolves, in a `MemoryOutboxTransaction` it gets as its
 * transaction (what it fires with it is relayed at that commit); a throw rolls
 * both back. A run of an id still in flight waits for it, as a row lock would.
 */
export class MemoryInbox implements InboxStore {
  private readonly processed = new Map<string, number>();
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: MemoryOutboxStore,
    private readonly now: () => number = Date.now,
  ) {}

  async run(deliveryId: string, _listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean> {
    while (this.running.has(deliveryId)) await this.running.get(deliveryId)!.catch(() => undefined);
    if (this.processed.has(deliveryId)) return false;
    const run = this.store.transaction(async (transaction) => {
      await fn(transaction);
      this.processed.set(deliveryId, this.now());
    });
    this.running.set(deliveryId, run);
    try {
      await run;
      return true;
    } finally {
      this.running.delete(deliveryId);
    }
  }

  /** Whether this delivery's effects committed (for tests). */
  has(deliveryId: string): boolean {
    return this.processed.has(deliveryId);
  }

  async sweep(retentionMs: number): Promise<number> {
    const before = this.now() - retentionMs;
    let removed = 0;
    for (const [id, at] of this.processed) {
      if (at < before) {
        this.processed.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
