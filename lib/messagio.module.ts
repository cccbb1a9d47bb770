import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getQueueToken, getSharedConfigToken } from '@nestjs/bullmq';
import { SchemaMigrationRequiredError, type ConnectionOptions, type Queue } from 'bullmq';
import { MessagioConfigurationError } from './errors/messagio-configuration.error.js';
import type { MessagioEnvelope } from './message/envelope.js';
import { MESSAGIO_QUEUE, MESSAGIO_RESOLVED_OPTIONS, MESSAGIO_TRANSPORT } from './messagio.constants.js';
import type { MessagioModuleAsyncOptions, MessagioModuleOptions, ResolvedMessagioOptions } from './messagio-options.js';
import { MessagioPipelineModule } from './messagio-pipeline.module.js';
import { MessagioRootModule } from './messagio-root.module.js';
import { createQueue } from './transports/bullmq/bullmq-backend.js';
import { BullMqTransport } from './transports/bullmq/bullmq.transport.js';
import type { BullMqQueueOptions, ResolvedBullMqOptions } from './transports/bullmq/bullmq-transport.options.js';

// The default queue, under @nestjs/bullmq's token for MESSAGIO_QUEUE: apps get it with
// @InjectQueue(MESSAGIO_QUEUE) and it reuses BullModule.forRoot()'s connection.
// Its real BullMQ name comes from the options (`queueName`). Made here rather than by
// BullModule.registerQueue, which cannot give a queue another backend than Redis.
const messagioQueueProvider: Provider = {
  provide: getQueueToken(MESSAGIO_QUEUE),
  useFactory: ({ bullmq }: ResolvedMessagioOptions, shared?: { connection?: ConnectionOptions }) =>
    bullmq.backend === 'postgres' ? postgresQueue(bullmq) : redisQueue(bullmq, shared),
  inject: [MESSAGIO_RESOLVED_OPTIONS, { token: getSharedConfigToken(), optional: true }],
};

const bullMqTransportProvider: Provider = {
  provide: MESSAGIO_TRANSPORT,
  useFactory: (queue: Queue<MessagioEnvelope>, { bullmq }: ResolvedMessagioOptions) => new BullMqTransport(queue, bullmq),
  inject: [getQueueToken(MESSAGIO_QUEUE), MESSAGIO_RESOLVED_OPTIONS],
};

/**
 * Typed messages for NestJS over BullMQ. Import `MessagioModule.forRoot()` once,
 * in the root module; its providers (`MessagioPublisher`, `MessageCenter`) are
 * global.
 *
 * `forRoot()` returns the root module (messagio-root.module.ts), which imports
 * this class as its transport: the class itself is the BullMQ part (it
 * registers the queue with `@nestjs/bullmq` and provides the BullMQ transport).
 * Nest matches `overrideModule()` by class, so tests can swap it whole with
 * `overrideModule(MessagioModule).useModule(MessagioTestingModule.forRoot())`.
 * It is global rather than exported by the root: Nest checks a module's
 * exports by class, and an export of `MessagioModule` fails once the class is
 * swapped for another module.
 * @publicApi
 */
@Global()
@Module({
  imports: [MessagioPipelineModule],
  providers: [messagioQueueProvider, bullMqTransportProvider],
  exports: [MESSAGIO_TRANSPORT, getQueueToken(MESSAGIO_QUEUE)],
})
export class MessagioModule {
  /**
   * Registers messagio for the whole app (global).
   *
   * ```ts
   * MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } })
   * ```
   */
  static forRoot(options: MessagioModuleOptions = {}): DynamicModule {
    return MessagioRootModule.forRoot({ ...options, transportSlot: MessagioModule });
  }

  /**
   * Registers messagio with options from a factory (e.g. `ConfigService`).
   * The transport kind is given next to the factory (default `'bullmq'`).
   */
  static forRootAsync(options: MessagioModuleAsyncOptions): DynamicModule {
    return MessagioRootModule.forRootAsync({ ...options, transportSlot: MessagioModule });
  }
}

function redisQueue(bullmq: ResolvedBullMqOptions, shared: { connection?: ConnectionOptions } | undefined): Queue<MessagioEnvelope> {
  return createQueue('redis', bullmq.queueName, {
    connection: resolveConnection(bullmq.connection, shared?.connection),
    ...(bullmq.prefix !== undefined ? { prefix: bullmq.prefix } : {}),
    ...(bullmq.telemetry !== undefined ? { telemetry: bullmq.telemetry } : {}),
  });
}

/**
 * The default queue on PostgreSQL, once its connection is ready: a schema that
 * was never migrated fails bootstrap with what to do, not the first fire.
 */
async function postgresQueue(bullmq: ResolvedBullMqOptions): Promise<Queue<MessagioEnvelope>> {
  const queue = createQueue('postgres', bullmq.queueName, {
    connection: bullmq.postgres,
    ...(bullmq.telemetry !== undefined ? { telemetry: bullmq.telemetry } : {}),
  });
  queue.on('error', () => undefined); // reported by the transport once it listens; until then, not a crash
  try {
    await queue.waitUntilReady();
  } catch (error) {
    await queue.close().catch(() => undefined);
    if (error instanceof SchemaMigrationRequiredError) {
      throw new MessagioConfigurationError(
        `The PostgreSQL schema of the queues is not migrated (${error.message}). Run BullMQ's runMigrations() from a deployment step, ` +
          'or let the app migrate at boot: backend: { postgres: { connectionString, migrate: true } }.',
        { cause: error },
      );
    }
    throw new MessagioConfigurationError(`MessagioModule could not reach PostgreSQL (backend.postgres): ${(error as Error).message}`, { cause: error });
  }
  return queue;
}

function resolveConnection(connection: BullMqQueueOptions['connection'], shared: ConnectionOptions | undefined): ConnectionOptions {
  if (typeof connection === 'string') return { url: connection };
  const resolved = connection ?? shared;
  if (!resolved) {
    throw new MessagioConfigurationError(
      'MessagioModule needs a Redis connection: pass { connection } to forRoot(), or import BullModule.forRoot({ connection }) in the app.',
    );
  }
  return resolved;
}
