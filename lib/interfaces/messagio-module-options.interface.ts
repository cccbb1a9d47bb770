import type { ModuleMetadata, Provider } from '@nestjs/common';
import type { ConnectionOptions, KeepJobs, Telemetry } from 'bullmq';
import type { ValidatorOptions } from 'class-validator';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import type { MessagioListenerDefaults } from '../listeners/listener-options.js';
import type { MessagioObserver } from '../delivery/messagio-observer.js';

/** Options of the worker this process runs (BullMQ or in-memory). */
export interface MessagioWorkerOptions {
  /**
   * Deliveries run at once by this process.
   * @default 1
   */
  concurrency?: number;
  /**
   * BullMQ: milliseconds a running delivery's lock lasts; it is renewed every
   * half of it while the listener runs. A listener that blocks the event loop
   * longer than this loses its lock and may be run again elsewhere.
   * @default 4000
   */
  lockDuration?: number;
  /**
   * BullMQ: how often the worker looks for deliveries whose worker died. A
   * killed worker's delivery is re-run within about `lockDuration + 2 × stalledInterval`.
   * @default 2000
   */
  stalledInterval?: number;
  /**
   * BullMQ: how many times a delivery may be cut by a worker crash and re-run
   * before it fails as stalled.
   * @default 10
   */
  maxStalledCount?: number;
}

/** Settings of one named queue's workers (BullMQ). */
export interface MessagioQueueOptions {
  /**
   * Deliveries of this queue run at once by this process.
   * @default the `worker.concurrency`
   */
  concurrency?: number;
  /** BullMQ rate limiter of this queue's workers, e.g. `{ max: 100, duration: 1000 }`. */
  limiter?: { max: number; duration: number };
}

/** Settings of the in-memory transport (`transport: 'memory'`). */
export interface MessagioMemoryOptions {
  /**
   * Backpressure: while this many deliveries (or more) wait to run, `fire()`
   * waits for one to start before it stores its message, so a tight loop of
   * fires is held to this backlog. Not applied to fires made from a listener
   * or observer of this transport, to a publish-only or paused process, nor
   * to delayed deliveries. `Infinity`: no bound.
   * @default 1000
   */
  maxWaiting?: number;
}

/** Which transport carries deliveries. */
export type MessagioTransportOption = 'bullmq' | 'memory' | MessagioTransport;

/**
 * Options of `MessagioModule.forRoot()`.
 * @publicApi
 */
export interface MessagioModuleOptions {
  /**
   * Redis connection: ioredis options, a `redis://` URL, or an ioredis client.
   * @default the connection of `BullModule.forRoot()` when the app has one
   */
  connection?: ConnectionOptions | string;
  /**
   * BullMQ queue name.
   * @default 'messagio'
   */
  queueName?: string;
  /**
   * Redis key prefix of the queue (use a hash tag such as `{messagio}` on Redis Cluster).
   * @default BullMQ's 'bull'
   */
  prefix?: string;
  /**
   * Whether this process consumes deliveries. `false` makes a publish-only
   * process (a web tier, say); listeners are still discovered, since the
   * publisher needs them to fan a message out.
   * @default true (concurrency 1)
   */
  worker?: boolean | MessagioWorkerOptions;
  /**
   * Extra named queues, each with its own worker settings
   * (`{ critical: { concurrency: 8 }, bulk: { limiter: { max: 50, duration: 1000 } } }`).
   * The default queue (`queueName`) always exists.
   */
  queues?: Record<string, MessagioQueueOptions>;
  /**
   * Message type → queue, by wire name with `*`/`?` globs, first match wins
   * (`{ 'billing.*': 'critical' }`). A listener's own `queue` option wins over routes.
   */
  routes?: Record<string, string>;
  /**
   * Queues this process consumes, so a deployment can dedicate processes to a
   * queue (`workers: ['critical']`). Ignored with `worker: false`.
   * @default every declared queue and the default queue
   */
  workers?: string[];
  /** Defaults applied to every listener's options. */
  defaultListenerOptions?: MessagioListenerDefaults;
  /**
   * Completed jobs kept in Redis (BullMQ `KeepJobs`, a count, or a boolean).
   * While a job is kept, re-firing its `messageId` is a no-op.
   * @default { count: 1000, age: 86400 } — at most 1000 and at most a day
   */
  removeOnComplete?: boolean | number | KeepJobs;
  /**
   * Failed jobs kept in Redis.
   * @default { count: 10000, age: 604800 } — at most 10000 and at most a week
   */
  removeOnFail?: boolean | number | KeepJobs;
  /**
   * `'bullmq'` (Redis), `'memory'` (this process only, nothing survives a
   * restart), or your own `MessagioTransport`.
   * @default 'bullmq'
   */
  transport?: MessagioTransportOption;
  /**
   * Validate messages with class-validator at fire and again on the worker.
   * @default true
   */
  validate?: boolean;
  /**
   * class-validator options, e.g. `{ whitelist: true, forbidNonWhitelisted: true }`.
   * @default { forbidUnknownValues: false }
   */
  validation?: ValidatorOptions;
  /**
   * Throw `MessagioNoListenersError` when a fired type has no listener,
   * instead of warning once per type.
   * @default false
   */
  strict?: boolean;
  /**
   * Largest payload (JSON bytes) accepted: bigger messages are refused at fire,
   * and bigger stored payloads fail on the worker without retries.
   * @default 524288 (512 KiB)
   */
  maxPayloadBytes?: number;
  /**
   * Milliseconds `fire()` may wait for the transport to store a message before
   * it rejects with `MessagioUnavailableError` (Redis unreachable).
   * @default 5000
   */
  publishTimeout?: number;
  /**
   * Milliseconds `app.close()` waits for deliveries in flight before it stops
   * them. BullMQ: stopped deliveries are re-delivered, never lost. Memory: it
   * stops waiting for them and warns (nothing in memory survives close).
   * @default 30000
   */
  shutdownTimeout?: number;
  /** In-memory transport settings (backpressure). */
  memory?: MessagioMemoryOptions;
  /**
   * BullMQ telemetry given to every queue and worker, e.g. `new BullMQOtel('my-app')`
   * from `bullmq-otel`: each fire becomes a producer span and each delivery a
   * consumer span in the firing code's trace.
   */
  telemetry?: Telemetry;
  /** Observers of messages and deliveries (metrics, logging); more can be added via `MessagioObservers`. */
  observers?: MessagioObserver[];
}

/**
 * Options of `MessagioModule.forRootAsync()`.
 * @publicApi
 */
export interface MessagioModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => Promise<MessagioModuleOptions> | MessagioModuleOptions; // eslint-disable-line @typescript-eslint/no-explicit-any
  inject?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  extraProviders?: Provider[];
  /**
   * The transport kind must be known before the factory runs, because it
   * decides which modules are imported. A `transport` returned by the factory
   * must agree with it.
   * @default 'bullmq'
   */
  transport?: 'bullmq' | 'memory' | 'custom';
}
