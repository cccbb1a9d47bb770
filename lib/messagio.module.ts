import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { BullModule, getQueueToken, getSharedConfigToken } from '@nestjs/bullmq';
import type { ConnectionOptions, Queue } from 'bullmq';
import {
  MESSAGIO_HOST_OPTIONS,
  MESSAGIO_MODULE_OPTIONS,
  MESSAGIO_QUEUE,
  MESSAGIO_TRANSPORT,
} from './messagio.constants.js';
import { MessagioConfigurationError } from './errors/messagio-configuration.error.js';
import type {
  MessagioModuleAsyncOptions,
  MessagioModuleOptions,
} from './interfaces/messagio-module-options.interface.js';
import { MessagioCoreModule } from './messagio-core.module.js';
import type { ResolvedMessagioOptions } from './messagio.options.js';
import type { MessagioEnvelope } from './message/envelope.js';
import { BullMqTransport } from './transports/bullmq.transport.js';
import { MemoryTransport } from './transports/memory.transport.js';
import type { MessagioTransport } from './transports/messagio-transport.interface.js';

// The queue, registered with @nestjs/bullmq under MESSAGIO_QUEUE: apps get it with
// @InjectQueue(MESSAGIO_QUEUE) and it reuses BullModule.forRoot()'s connection.
// Its real BullMQ name comes from the options (`queueName`).
const messagioQueueRegistration = BullModule.registerQueueAsync({
      name: MESSAGIO_QUEUE,
      imports: [MessagioCoreModule],
      useFactory: (options: ResolvedMessagioOptions, shared?: { connection?: ConnectionOptions }) => ({
        name: options.queueName,
        connection: resolveConnection(options.connection, shared?.connection),
        ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
        ...(options.telemetry !== undefined ? { telemetry: options.telemetry } : {}),
      }),
      inject: [MESSAGIO_MODULE_OPTIONS, { token: getSharedConfigToken(), optional: true }],
    });

/**
 * Typed messages for NestJS over BullMQ. Import `MessagioModule.forRoot()` once,
 * in the root module; its providers (`MessagioPublisher`, `MessageCenter`) are
 * global.
 *
 * The `MessagioModule` class itself is the BullMQ part: it registers the queue
 * with `@nestjs/bullmq` and provides the BullMQ transport. `forRoot()` returns
 * a module that imports it, so tests can swap it whole with
 * `overrideModule(MessagioModule).useModule(MessagioTestingModule.forRoot())`.
 * It is global rather than exported by that module: Nest checks a module's
 * exports by class, and an export of `MessagioModule` fails once the class is
 * swapped for another module.
 * @publicApi
 */
@Global()
@Module({
  imports: [
    MessagioCoreModule,
    messagioQueueRegistration,
  ],
  providers: [
    {
      provide: MESSAGIO_TRANSPORT,
      useFactory: (queue: Queue<MessagioEnvelope>, options: ResolvedMessagioOptions) =>
        new BullMqTransport(queue, {
          worker: options.worker,
          removeOnComplete: options.removeOnComplete,
          removeOnFail: options.removeOnFail,
          publishTimeout: options.publishTimeout,
          shutdownTimeout: options.shutdownTimeout,
          queues: options.queues,
          workers: options.workers,
          telemetry: options.telemetry,
        }),
      inject: [getQueueToken(MESSAGIO_QUEUE), MESSAGIO_MODULE_OPTIONS],
    },
  ],
  exports: [MESSAGIO_TRANSPORT, messagioQueueRegistration],
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
    const kind = transportKind(options.transport);
    return host(kind, [{ provide: MESSAGIO_HOST_OPTIONS, useValue: options }], []);
  }

  /**
   * Registers messagio with options from a factory (e.g. `ConfigService`).
   * The transport kind is given next to the factory (default `'bullmq'`).
   */
  static forRootAsync(options: MessagioModuleAsyncOptions): DynamicModule {
    const kind = options.transport ?? 'bullmq';
    const optionsProvider: Provider = {
      provide: MESSAGIO_HOST_OPTIONS,
      useFactory: async (...args: unknown[]) => {
        const resolved = await options.useFactory(...args);
        const actual = transportKind(resolved.transport);
        if (actual !== kind) {
          throw new MessagioConfigurationError(
            `forRootAsync({ transport: '${kind}' }) but the factory returned a '${actual}' transport; declare it next to useFactory.`,
          );
        }
        return resolved;
      },
      inject: options.inject ?? [],
    };
    return host(kind, [optionsProvider, ...(options.extraProviders ?? [])], options.imports ?? []);
  }
}

/** The module forRoot() returns: holds the options and imports the transport's module. */
@Module({})
class MessagioHostModule {}

type TransportKind = 'bullmq' | 'memory' | 'custom';

function host(kind: TransportKind, providers: Provider[], imports: DynamicModule['imports']): DynamicModule {
  const transportProviders: Provider[] =
    kind === 'bullmq'
      ? []
      : [
          {
            provide: MESSAGIO_TRANSPORT,
            useFactory: (options: ResolvedMessagioOptions): MessagioTransport =>
              typeof options.transport === 'object'
                ? options.transport
                : new MemoryTransport({
                    worker: options.worker,
                    keepCompleted: keepCount(options.removeOnComplete, 1000),
                    keepFailed: keepCount(options.removeOnFail, 10_000),
                    maxWaiting: options.memory.maxWaiting,
                    shutdownTimeout: options.shutdownTimeout,
                  }),
            inject: [MESSAGIO_MODULE_OPTIONS],
          },
        ];
  return {
    module: MessagioHostModule,
    global: true,
    imports: [...(imports ?? []), MessagioCoreModule, ...(kind === 'bullmq' ? [MessagioModule] : [])],
    providers: [...providers, ...transportProviders],
    // MessagioModule (bullmq) is global itself: its transport and queue need no re-export here.
    exports: [MESSAGIO_HOST_OPTIONS, MessagioCoreModule, ...(kind === 'bullmq' ? [] : [MESSAGIO_TRANSPORT])],
  };
}

function transportKind(transport: MessagioModuleOptions['transport']): TransportKind {
  if (transport === undefined || transport === 'bullmq') return 'bullmq';
  if (transport === 'memory') return 'memory';
  return 'custom';
}

function resolveConnection(
  connection: MessagioModuleOptions['connection'],
  shared: ConnectionOptions | undefined,
): ConnectionOptions {
  if (typeof connection === 'string') return { url: connection };
  const resolved = connection ?? shared;
  if (!resolved) {
    throw new MessagioConfigurationError(
      'MessagioModule needs a Redis connection: pass { connection } to forRoot(), or import BullModule.forRoot({ connection }) in the app.',
    );
  }
  return resolved;
}

// BullMQ retention (`true`: remove at once, `false`: keep all, a count, or KeepJobs) as a count.
function keepCount(keep: ResolvedMessagioOptions['removeOnComplete'], fallback: number): number {
  if (typeof keep === 'number') return keep;
  if (typeof keep === 'boolean') return keep ? 0 : Number.MAX_SAFE_INTEGER;
  return keep.count ?? fallback;
}
