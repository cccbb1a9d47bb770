import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { ListenerRegistry } from '../listeners/listener.registry.js';
import type { DeliveryCounts, FailedFilter } from '../contract/delivery.types.js';
import { deliveryIdOf } from '../message/delivery-id.js';
import type { DeliveryState } from '../message/delivery-state.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import type { OutboxDeadRow, OutboxPort, OutboxStats } from './outbox-port.js';

/** `MessagioAdmin.outbox`: the transactional outbox's dead rows and lag. @publicApi */
export interface MessagioOutboxAdmin {
  /** Dead-lettered rows (never relayed: malformed, refused by the transport every time), oldest first. @default limit 100 */
  dead(limit?: number): Promise<OutboxDeadRow[]>;
  /** Puts dead rows back in line for the relay, with fresh attempts; returns the ids taken. */
  retry(rowIds: readonly string[]): Promise<string[]>;
  /** Rows waiting, dead rows, and the age of the oldest waiting one. */
  stats(): Promise<OutboxStats>;
}

/** Failed deliveries read at a time when a transport cannot retry by filter itself. */
const RETRY_PAGE = 500;

/** Which failed deliveries `retry()` re-runs. */
export type RetrySelection = { messageId: string; listener?: string } | FailedFilter;

/**
 * Ask where messages stand, and replay what failed.
 * @publicApi
 */
export class MessagioAdmin {
  constructor(
    private readonly listeners: ListenerRegistry,
    private readonly transport: MessagioTransport,
    private readonly outbox_?: OutboxPort,
  ) {}

  /**
   * The state of each delivery of a message, one per listener this process
   * knows: `queued | delayed | running | completed | failed`, attempts and
   * last error; with the transactional outbox, `outbox` before the relay
   * moved it and `dead` when its row was dead-lettered. Listeners the message
   * never had a delivery for are left out.
   */
  async status(messageId: string): Promise<DeliveryState[]> {
    const ids = this.listeners.ids().map((id) => deliveryIdOf(messageId, id));
    // The outbox first: a row relayed between the two reads is then found in the transport.
    const inOutbox = this.outbox_ ? await this.outbox_.inspect(ids) : [];
    const seen = new Set(inOutbox.map((s) => s.id));
    const rest = ids.filter((id) => !seen.has(id));
    const states = rest.length > 0 ? await this.need('inspect').call(this.transport, rest) : [];
    return [...inOutbox, ...states.filter((s) => s.status !== 'unknown')];
  }

  /**
   * The transactional outbox (`nestjs-messagio/outbox`): its dead rows, their
   * retry, and its lag. Throws `MessagioConfigurationError` when none is configured.
   */
  get outbox(): MessagioOutboxAdmin {
    const outbox = this.outbox_;
    if (!outbox) throw new MessagioConfigurationError('No transactional outbox is configured: import MessagioOutboxModule.forRoot() from nestjs-messagio/outbox.');
    return { dead: (limit = 100) => outbox.dead(limit), retry: (ids) => outbox.retry(ids), stats: () => outbox.stats() };
  }

  /** Deliveries that failed for good, newest first, optionally of one type or listener. */
  failed(filter: FailedFilter = {}): Promise<DeliveryState[]> {
    return this.need('failed').call(this.transport, filter);
  }

  /**
   * Runs chosen failed deliveries again, with a fresh retry budget, and only
   * those: one message's (all its failed listeners, or one), or every one
   * matching a filter (`limit` ignored: all of them, a page at a time).
   * Returns the delivery ids re-queued.
   */
  async retry(selection: RetrySelection): Promise<string[]> {
    if (!('messageId' in selection)) return this.retryAll(selection);
    const ids =
      selection.listener !== undefined
        ? [deliveryIdOf(selection.messageId, selection.listener)]
        : (await this.status(selection.messageId)).filter((s) => s.status === 'failed').map((s) => s.id);
    return this.need('retry').call(this.transport, ids);
  }

  /** Deliveries by status, over the whole queue. */
  counts(): Promise<DeliveryCounts> {
    return this.need('counts').call(this.transport);
  }

  /**
   * Every failed delivery matching `filter`, each retried once: the
   * transport's own `retryFailed` when it has one, else pages of `failed()`.
   * Retried deliveries leave the failed set, but one that fails again comes
   * back at its front: ids seen are not retried again, and a page holding
   * only those is read again, twice as long, until one is not full.
   */
  private async retryAll({ type, listener }: FailedFilter): Promise<string[]> {
    const filter = { ...(type !== undefined ? { type } : {}), ...(listener !== undefined ? { listener } : {}) };
    if (this.transport.retryFailed) return this.transport.retryFailed(filter);
    const retry = this.need('retry');
    const seen = new Set<string>();
    const retried: string[] = [];
    for (let limit = RETRY_PAGE; ; ) {
      const page = await this.failed({ ...filter, limit });
      const fresh = page.map((s) => s.id).filter((id) => !seen.has(id));
      if (fresh.length === 0) {
        if (page.length < limit) return retried;
        limit *= 2;
        continue;
      }
      for (const id of fresh) seen.add(id);
      retried.push(...(await retry.call(this.transport, fresh)));
    }
  }

  private need<K extends 'inspect' | 'failed' | 'retry' | 'counts'>(method: K): NonNullable<MessagioTransport[K]> {
    const fn = this.transport[method];
    if (!fn) throw new MessagioConfigurationError(`The ${this.transport.name} transport does not support ${method}().`);
    return fn as NonNullable<MessagioTransport[K]>;
  }
}
