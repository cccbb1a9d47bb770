import type { Provider } from '@nestjs/common';
import { MESSAGIO_INBOX, MESSAGIO_WORKER } from '../messagio.constants.js';
import type { WorkerSettings } from '../transports/transport-module.options.js';
import { fromPg } from './from-pg.js';
import { resolveInboxOptions, type ResolvedInboxOptions } from './inbox.options.js';
import { MemoryInbox } from './memory-inbox.js';
import { MemoryOutboxStore } from './memory-outbox.store.js';
import { MessagioInbox } from './messagio-inbox.js';
import { MessagioInboxLifecycle } from './messagio-inbox.lifecycle.js';
import type { OutboxStore } from './outbox-store.js';
import type { MessagioOutboxOptions, ResolvedOutboxOptions } from './outbox.options.js';
import { PostgresInbox } from './postgres-inbox.js';
import { PostgresOutboxStore } from './postgres-outbox.store.js';

const INBOX_RESOLVED = 'MESSAGIO_INBOX_RESOLVED';

/**
 * The inbox's providers in `MessagioOutboxModule`, next to the outbox's
 * store: PostgreSQL (through the outbox's pool) or memory (with
 * `MemoryOutboxStore`, also when a test swaps it in). Another store has no
 * inbox: `MESSAGIO_INBOX` is then null, and an `inbox: true` listener fails its registration.
 */
export function inboxProviders(optionsToken: string, resolvedToken: string, storeToken: string): Provider[] {
  return [
    { provide: INBOX_RESOLVED, useFactory: (given: MessagioOutboxOptions) => resolveInboxOptions(given.inbox), inject: [optionsToken] },
    {
      provide: MessagioInbox,
      useFactory: (given: MessagioOutboxOptions, o: ResolvedOutboxOptions, store: OutboxStore, inbox: ResolvedInboxOptions): MessagioInbox | null => {
        if (store instanceof MemoryOutboxStore) return new MessagioInbox(new MemoryInbox(store), inbox.retentionMs);
        if (store instanceof PostgresOutboxStore && given.pool) return new MessagioInbox(new PostgresInbox(given.pool, o.names, o.client ?? fromPg), inbox.retentionMs);
        return null;
      },
      inject: [optionsToken, resolvedToken, storeToken, INBOX_RESOLVED],
    },
    { provide: MESSAGIO_INBOX, useExisting: MessagioInbox },
    {
      provide: MessagioInboxLifecycle,
      useFactory: (inbox: MessagioInbox | null, o: ResolvedOutboxOptions, options: ResolvedInboxOptions, worker?: WorkerSettings) =>
        inbox === null ? null : new MessagioInboxLifecycle(inbox, o, options, worker),
      inject: [MessagioInbox, resolvedToken, INBOX_RESOLVED, { token: MESSAGIO_WORKER, optional: true }],
    },
  ];
}
