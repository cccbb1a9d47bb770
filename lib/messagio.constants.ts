/** DI tokens. */
export const MESSAGIO_MODULE_OPTIONS = 'MESSAGIO_MODULE_OPTIONS';
export const MESSAGIO_HOST_OPTIONS = 'MESSAGIO_HOST_OPTIONS';
export const MESSAGIO_TESTING_OPTIONS = 'MESSAGIO_TESTING_OPTIONS';
export const MESSAGIO_TRANSPORT = 'MESSAGIO_TRANSPORT';
/** Optional `MessagioClock` for the sync path's retry waits (the testing module's virtual clock). */
export const MESSAGIO_CLOCK = 'MESSAGIO_CLOCK';

/**
 * Name under which the messagio queue is registered with `@nestjs/bullmq`:
 * `@InjectQueue(MESSAGIO_QUEUE)` gives the BullMQ `Queue` our deliveries use.
 * It is also the default BullMQ queue name (`queueName` option).
 */
export const MESSAGIO_QUEUE = 'messagio';
