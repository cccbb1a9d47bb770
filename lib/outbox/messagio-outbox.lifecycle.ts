import { Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { WorkerSettings } from '../transports/transport-module.options.js';
import type { MessagioOutbox } from './messagio-outbox.js';
import type { OutboxMigrator } from './outbox-migrator.js';
import type { OutboxRelay } from './outbox-relay.js';
import type { ResolvedOutboxOptions } from './outbox.options.js';

/**
 * At init: the migrations (unless off), the ambient transaction; at
 * bootstrap: the relay, in processes that run it; at close: the relay stops
 * (its leased rows go back at once).
 */
export class MessagioOutboxLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MessagioOutbox');

  constructor(
    private readonly outbox: MessagioOutbox,
    private readonly relay: OutboxRelay,
    private readonly migrator: OutboxMigrator | undefined,
    private readonly options: ResolvedOutboxOptions,
    private readonly worker: WorkerSettings | undefined,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.migrate && this.migrator) {
      const { applied } = await this.migrator.migrate();
      this.logger.debug(`Outbox schema at version ${applied[applied.length - 1] ?? 0}.`);
    }
    if (this.options.ambient) this.outbox.ambient = await ambientTransaction(this.options.ambient.connectionName);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.outbox.store.manualRelay) return;
    if (this.options.relayEnabled ?? this.worker?.enabled ?? true) await this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.close();
  }
}

/**
 * `@nestjs-cls/transactional`'s host, when the package is installed and the
 * app set it up: its active transaction, if any. Loaded at bootstrap only, so
 * apps without it never load it.
 */
async function ambientTransaction(connectionName: string | undefined): Promise<(() => unknown) | undefined> {
  let host: { isTransactionActive(): boolean; tx: unknown };
  try {
    const { TransactionHost } = await import('@nestjs-cls/transactional');
    host = TransactionHost.getInstance(connectionName);
  } catch {
    return undefined;
  }
  if (host === undefined) return undefined;
  return () => (host.isTransactionActive() ? host.tx : undefined);
}
