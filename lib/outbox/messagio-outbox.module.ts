import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { MESSAGIO_INBOX, MESSAGIO_OUTBOX, MESSAGIO_TRANSPORT, MESSAGIO_WORKER } from '../messagio.constants.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import type { WorkerSettings } from '../transports/transport-module.options.js';
import { fromPg } from './from-pg.js';
import { MessagioOutbox } from './messagio-outbox.js';
import { MessagioOutboxLifecycle } from './messagio-outbox.lifecycle.js';
import { OutboxMigrator } from './outbox-migrator.js';
import { OutboxRelay } from './outbox-relay.js';
import type { OutboxStore } from './outbox-store.js';
import { resolveOutboxOptions, type MessagioOutboxOptions, type ResolvedOutboxOptions } from './outbox.options.js';
import { PostgresOutboxStore } from './postgres-outbox.store.js';
import { inboxProviders } from './inbox.providers.js';

const OUTBOX_OPTIONS = 'MESSAGIO_OUTBOX_OPTIONS';
const OUTBOX_RESOLVED = 'MESSAGIO_OUTBOX_RESOLVED';
/**
 * The outbox's store. Tests of a whole app swap it:
 * `.overrideProvider(MESSAGIO_OUTBOX_STORE).useValue(new MemoryOutboxStore())`.
 * @publicApi
 */
export const MESSAGIO_OUTBOX_STORE = 'MESSAGIO_OUTBOX_STORE';
const OUTBOX_STORE = MESSAGIO_OUTBOX_STORE;
const OUTBOX_MIGRATOR = 'MESSAGIO_OUTBOX_MIGRATOR';

/**
 * Options of `MessagioOutboxModule.forRootAsync()`.
 * @publicApi
 */
export interface MessagioOutboxAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => Promise<MessagioOutboxOptions> | MessagioOutboxOptions; // eslint-disable-line @typescript-eslint/no-explicit-any
  inject?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The transactional outbox: `fire(msg, { transaction })` (or inside an ambient
 * transaction) writes the message's deliveries into the app's database, in
 * its transaction; the relay moves committed rows into the transport.
 * Import it next to `MessagioModule.forRoot()`.
 * @publicApi
 */
@Module({})
export class MessagioOutboxModule {
  static forRoot(options: MessagioOutboxOptions): DynamicModule {
    return outboxModule([{ provide: OUTBOX_OPTIONS, useValue: options }], []);
  }

  static forRootAsync(options: MessagioOutboxAsyncOptions): DynamicModule {
    return outboxModule([{ provide: OUTBOX_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }], options.imports ?? []);
  }
}

function outboxModule(optionsProviders: Provider[], imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
  return {
    module: MessagioOutboxModule,
    global: true,
    imports,
    providers: [
      ...optionsProviders,
      { provide: OUTBOX_RESOLVED, useFactory: resolveOutboxOptions, inject: [OUTBOX_OPTIONS] },
      {
        provide: OUTBOX_STORE,
        useFactory: (given: MessagioOutboxOptions, o: ResolvedOutboxOptions): OutboxStore =>
          given.store ??
          new PostgresOutboxStore(given.pool!, { names: o.names, channel: o.channel, client: o.client ?? fromPg, retentionMs: o.relay.retentionMs }),
        inject: [OUTBOX_OPTIONS, OUTBOX_RESOLVED],
      },
      {
        provide: OUTBOX_MIGRATOR,
        // Only for the PostgreSQL store (another store, or one swapped in by a test, has no schema here).
        useFactory: (given: MessagioOutboxOptions, o: ResolvedOutboxOptions, store: OutboxStore) =>
          store instanceof PostgresOutboxStore && given.pool ? new OutboxMigrator(given.pool, o.names) : null,
        inject: [OUTBOX_OPTIONS, OUTBOX_RESOLVED, OUTBOX_STORE],
      },
      { provide: MessagioOutbox, useFactory: (store: OutboxStore) => new MessagioOutbox(store), inject: [OUTBOX_STORE] },
      { provide: MESSAGIO_OUTBOX, useExisting: MessagioOutbox },
      {
        provide: OutboxRelay,
        useFactory: (store: OutboxStore, transport: MessagioTransport, o: ResolvedOutboxOptions) => new OutboxRelay(store, transport, o.relay),
        inject: [OUTBOX_STORE, MESSAGIO_TRANSPORT, OUTBOX_RESOLVED],
      },
      {
        provide: MessagioOutboxLifecycle,
        useFactory: (outbox: MessagioOutbox, relay: OutboxRelay, migrator: OutboxMigrator | null, o: ResolvedOutboxOptions, worker?: WorkerSettings) =>
          new MessagioOutboxLifecycle(outbox, relay, migrator ?? undefined, o, worker),
        inject: [MessagioOutbox, OutboxRelay, OUTBOX_MIGRATOR, OUTBOX_RESOLVED, { token: MESSAGIO_WORKER, optional: true }],
      },
      ...inboxProviders(OUTBOX_OPTIONS, OUTBOX_RESOLVED, OUTBOX_STORE),
    ],
    exports: [MESSAGIO_OUTBOX, MessagioOutbox, OutboxRelay, MESSAGIO_INBOX],
  };
}
