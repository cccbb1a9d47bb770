import type { OutboxDeadRow, OutboxMessage, OutboxPort, OutboxStats } from '../delivery/outbox-port.js';
import { splitDeliveryId } from '../message/delivery-id.js';
import type { DeliveryState } from '../message/delivery-state.js';
import type { FireOptions } from '../message/fire-options.js';
import type { OutboxStore } from './outbox-store.js';

/** Reads the ambient transaction (`@nestjs-cls/transactional`), if one is active. */
export type AmbientTransaction = () => unknown;

/**
 * The outbox the publisher and the admin see (`OutboxPort`): which
 * transaction a fire writes in, the write itself through the store, and the
 * states of deliveries still waiting in it.
 */
export class MessagioOutbox implements OutboxPort {
  /** Set at module init when `@nestjs-cls/transactional` is there (see messagio-outbox.lifecycle.ts). */
  ambient: AmbientTransaction | undefined;

  constructor(readonly store: OutboxStore) {}

  transactionOf(options: FireOptions): unknown {
    const given = options.transaction;
    if (given !== undefined) return given === null ? undefined : given;
    return this.ambient?.();
  }

  write(transaction: unknown, messages: readonly OutboxMessage[]): Promise<void> {
    return this.store.insert(transaction, messages);
  }

  async inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    const messageIds = [...new Set(deliveryIds.map((id) => splitDeliveryId(id).messageId))];
    const waiting = new Map((await this.store.pending(messageIds)).map((p) => [p.deliveryId, p]));
    const states: DeliveryState[] = [];
    for (const id of deliveryIds) {
      const p = waiting.get(id);
      if (p === undefined) continue;
      const error = p.deadReason ?? p.lastError;
      states.push({ id, ...splitDeliveryId(id), status: p.deadReason !== undefined ? 'dead' : 'outbox', attempts: 0, ...(error !== undefined ? { error } : {}) });
    }
    return states;
  }

  dead(limit: number): Promise<OutboxDeadRow[]> {
    return this.store.dead(limit);
  }

  retry(rowIds: readonly string[]): Promise<string[]> {
    return this.store.retry(rowIds);
  }

  stats(): Promise<OutboxStats> {
    return this.store.stats();
  }
}
