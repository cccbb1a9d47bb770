/** DI tokens of the module wiring (the rooms below never inject by token: provider factories hand them what they use). */

/** The options given to `forRoot()` / returned by the `forRootAsync()` factory, as given. */
export const MESSAGIO_MODULE_OPTIONS = 'MESSAGIO_MODULE_OPTIONS';
/** The transport kind `forRoot()` / `forRootAsync()` wired (see messagio.module-definition.ts). */
export const MESSAGIO_TRANSPORT_KIND = 'MESSAGIO_TRANSPORT_KIND';
/** The options `MessagioTestingModule.forRoot()` lays over the app's. */
export const MESSAGIO_TESTING_OPTIONS = 'MESSAGIO_TESTING_OPTIONS';
/** The options resolved into their per-room slices (`ResolvedMessagioOptions`): read by provider factories only. */
export const MESSAGIO_RESOLVED_OPTIONS = 'MESSAGIO_RESOLVED_OPTIONS';
/** Whether and what this process consumes (`WorkerSettings`): read by the health indicator. */
export const MESSAGIO_WORKER = 'MESSAGIO_WORKER';
export const MESSAGIO_TRANSPORT = 'MESSAGIO_TRANSPORT';
/** Optional `OutboxPort`: provided by `MessagioOutboxModule` (nestjs-messagio/outbox), read by the publisher and the admin. */
export const MESSAGIO_OUTBOX = 'MESSAGIO_OUTBOX';
/** Optional `InboxPort`: provided by `MessagioOutboxModule`, what `inbox: true` listeners run through. */
export const MESSAGIO_INBOX = 'MESSAGIO_INBOX';
/** Optional `MessagioClock` for the sync transport's retry waits (the testing module's virtual clock). */
export const MESSAGIO_CLOCK = 'MESSAGIO_CLOCK';

/**
 * Name under which the messagio queue is registered with `@nestjs/bullmq`:
 * `@InjectQueue(MESSAGIO_QUEUE)` gives the BullMQ `Queue` our deliveries use.
 * It is also the default BullMQ queue name (`queueName` option).
 */
export const MESSAGIO_QUEUE = 'messagio';
