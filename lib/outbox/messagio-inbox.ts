import { Logger } from '@nestjs/common';
import type { InboxPort } from '../contract/inbox-port.js';
import { logSafe } from '../delivery/log-safe.js';

/** Where the inbox records processed deliveries: PostgreSQL (`PostgresInbox`) or memory (`MemoryInbox`). */
export interface InboxStore {
  /** See `InboxPort.run`. */
  run(deliveryId: string, listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean>;
  /** Forgets processed deliveries older than `retentionMs`; resolves to how many. */
  sweep(retentionMs: number): Promise<number>;
}

/**
 * The inbox `inbox: true` listeners run through (`InboxPort`, provided by
 * `MessagioOutboxModule`): a redelivery of a delivery whose effects committed
 * completes without calling the listener, logged at debug.
 * @publicApi
 */
export class MessagioInbox implements InboxPort {
  private readonly logger = new Logger('MessagioInbox');

  constructor(
    readonly store: InboxStore,
    private readonly retentionMs: number,
  ) {}

  async run(deliveryId: string, listenerId: string, fn: (transaction: unknown) => unknown): Promise<boolean> {
    const ran = await this.store.run(deliveryId, listenerId, fn);
    if (!ran) this.logger.debug(logSafe(`Delivery ${deliveryId} was already processed (its inbox row committed): completed without running ${listenerId} again.`));
    return ran;
  }

  /** Forgets processed deliveries older than the retention (`inbox.retentionMs`); run by a timer in consuming processes. */
  sweep(): Promise<number> {
    return this.store.sweep(this.retentionMs);
  }
}
