import { Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { WorkerSettings } from '../transports/transport-module.options.js';
import type { MessagioInbox } from './messagio-inbox.js';
import type { ResolvedInboxOptions } from './inbox.options.js';
import { PostgresInbox, type InboxTransactionHost } from './postgres-inbox.js';
import type { ResolvedOutboxOptions } from './outbox.options.js';

/**
 * At init: the ambient transaction host for the PostgreSQL inbox (after the
 * outbox's migrations: this provider comes after the outbox's lifecycle); at
 * bootstrap, in consuming processes: the retention sweep, on a timer; at close: the timer stops.
 */
export class MessagioInboxLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MessagioInbox');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly inbox: MessagioInbox,
    private readonly outbox: Pick<ResolvedOutboxOptions, 'ambient'>,
    private readonly options: ResolvedInboxOptions,
    private readonly worker: WorkerSettings | undefined,
  ) {}

  async onModuleInit(): Promise<void> {
    const store = this.inbox.store;
    if (store instanceof PostgresInbox && this.outbox.ambient) store.host = await transactionHost(this.outbox.ambient.connectionName);
  }

  onApplicationBootstrap(): void {
    if (!(this.worker?.enabled ?? true)) return;
    this.timer = setInterval(() => {
      this.inbox.sweep().catch((error: Error) => this.logger.warn(`The inbox retention sweep failed (tried again in ${this.options.sweepMs} ms): ${error.message}`));
    }, this.options.sweepMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

/** `@nestjs-cls/transactional`'s host, when installed and set up by the app; loaded at bootstrap only. */
async function transactionHost(connectionName: string | undefined): Promise<InboxTransactionHost | undefined> {
  try {
    const { TransactionHost } = await import('@nestjs-cls/transactional');
    return (TransactionHost.getInstance(connectionName) as unknown as InboxTransactionHost | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}
