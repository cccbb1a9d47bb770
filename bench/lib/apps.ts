// Nest applications used by the scenarios: a messagio app (BullMQ or memory
// transport) with the benchmark's listeners, and an @nestjs/event-emitter app.
import { Module, type DynamicModule, type INestApplicationContext, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { MessagioModule, MessagioPublisher, MESSAGIO_TRANSPORT, type MessagioModuleOptions, type MessagioTransport } from '../../lib/index.js';
import { PROBE, Probe } from './listeners.js';
import type { RedisTarget } from './redis.js';

export interface MessagioAppOptions {
  /** Redis to use; omit with `transport: 'memory'` or `postgres`. */
  redis?: RedisTarget;
  /** A PostgreSQL connection string: the BullMQ transport on BullMQ's PostgreSQL backend instead of Redis. */
  postgres?: string;
  queueName?: string;
  /** Concurrency of this process's worker; `false`: publish only. */
  concurrency: number | false;
  validate: boolean;
  transport?: 'bullmq' | 'memory';
  listeners: Type[];
  probe?: Probe;
  /** Extra messagio options. */
  messagio?: MessagioModuleOptions;
  /** Extra providers of the app (e.g. an APP_INTERCEPTOR). */
  providers?: Provider[];
}

export interface MessagioApp {
  app: INestApplicationContext;
  publisher: MessagioPublisher;
  transport: MessagioTransport;
  probe: Probe;
  close(): Promise<void>;
}

@Module({})
class BenchAppModule {}

export function messagioModule(options: MessagioAppOptions, probe: Probe): DynamicModule {
  const transport = options.transport ?? 'bullmq';
  // Where BullMQ keeps its queues: read only for the BullMQ transport (a memory app has no Redis).
  const store = (): MessagioModuleOptions =>
    options.postgres
      ? { backend: { postgres: { connectionString: options.postgres, migrate: true } } }
      : { connection: { host: options.redis!.host, port: options.redis!.port } };
  const messagio: MessagioModuleOptions = {
    ...(transport === 'bullmq' ? store() : {}),
    transport,
    queueName: options.queueName,
    worker: options.concurrency === false ? false : { concurrency: options.concurrency },
    validate: options.validate,
    ...options.messagio,
  };
  const providers: Provider[] = [{ provide: PROBE, useValue: probe }, ...options.listeners, ...(options.providers ?? [])];
  return { module: BenchAppModule, imports: [MessagioModule.forRoot(messagio)], providers };
}

/** Boots a messagio app; its worker (if any) starts consuming at once. */
export async function createMessagioApp(options: MessagioAppOptions): Promise<MessagioApp> {
  const probe = options.probe ?? new Probe();
  const app = await NestFactory.createApplicationContext(messagioModule(options, probe), { logger: ['error'], abortOnError: false });
  return {
    app,
    publisher: app.get(MessagioPublisher),
    transport: app.get<MessagioTransport>(MESSAGIO_TRANSPORT),
    probe,
    close: () => app.close(),
  };
}

export interface EventEmitterApp {
  app: INestApplicationContext;
  probe: Probe;
  close(): Promise<void>;
}

export async function createEventEmitterApp(listeners: Type[], probe = new Probe()): Promise<EventEmitterApp> {
  const module: DynamicModule = {
    module: BenchAppModule,
    imports: [EventEmitterModule.forRoot()],
    providers: [{ provide: PROBE, useValue: probe }, ...listeners],
  };
  const app = await NestFactory.createApplicationContext(module, { logger: ['error'], abortOnError: false });
  return { app, probe, close: () => app.close() };
}
