import type { ConnectionOptions, KeepJobs, Telemetry } from 'bullmq';
import type { ResolvedWorkerOptions } from '../transport-module.options.js';
import type { BackendKind, MessagioBackendOption } from './bullmq-backend.js';

/** Settings of one named queue's workers (BullMQ). */
export interface MessagioQueueOptions {
  /**
   * Deliveries of this queue run at once by this process.
   * @default the `worker.concurrency`
   */
  concurrency?: number;
  /**
   * BullMQ rate limiter of this queue, e.g. `{ max: 100, duration: 1000 }`: at
   * most `max` deliveries start per `duration` ms, across every process that
   * consumes the queue (BullMQ counts them in Redis, or PostgreSQL).
   */
  limiter?: { max: number; duration: number };
  /**
   * Most deliveries of this queue running at once across every process (BullMQ's
   * global concurrency, set by each consuming process when it starts; `concurrency`
   * is per process). To lift it later, call `removeGlobalConcurrency()` on the queue.
   */
  globalConcurrency?: number;
}

/** The module options the BullMQ transport and its queue read. */
export interface BullMqTransportModuleOptions {
  /**
   * Redis connection: ioredis options, a `redis://` URL, or an ioredis client.
   * @default the connection of `BullModule.forRoot()` when the app has one
   */
  connection?: ConnectionOptions | string;
  /**
   * Where BullMQ keeps the queues: `{ postgres: connection }` runs every queue
   * and worker on BullMQ 6's PostgreSQL backend instead of Redis (then no
   * `connection` and no `prefix`: see docs/transports.md#postgresql).
   * @default Redis, through `connection`
   */
  backend?: MessagioBackendOption;
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
   * Extra named queues, each with its own worker settings
   * (`{ critical: { concurrency: 8 }, bulk: { limiter: { max: 50, duration: 1000 } } }`).
   * The default queue (`queueName`) always exists.
   */
  queues?: Record<string, MessagioQueueOptions>;
  /**
   * Queues this process consumes, so a deployment can dedicate processes to a
   * queue (`workers: ['critical']`). Ignored with `worker: false`.
   * @default every declared queue and the default queue
   */
  workers?: string[];
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
   * Milliseconds `fire()` may wait for the transport to store a message before
   * it rejects with `MessagioUnavailableError` (Redis unreachable).
   * @default 5000
   */
  publishTimeout?: number;
  /**
   * BullMQ telemetry given to every queue and worker, e.g. `new BullMQOtel('my-app')`
   * from `bullmq-otel`: each fire becomes a producer span and each delivery a
   * consumer span in the firing code's trace.
   */
  telemetry?: Telemetry;
}

export const DEFAULT_REMOVE_ON_COMPLETE: KeepJobs = { count: 1000, age: 24 * 3600 };
export const DEFAULT_REMOVE_ON_FAIL: KeepJobs = { count: 10_000, age: 7 * 24 * 3600 };

/** What the BullMQ transport receives: its module options, resolved at bootstrap. */
export interface BullMqTransportOptions {
  /** This process's worker settings; `false`: publish only. */
  worker: false | ResolvedWorkerOptions;
  /** Declared queues (the default one included) with their worker settings. */
  queues?: Map<string, MessagioQueueOptions>;
  /** Queues this process consumes. @default all */
  workers?: string[];
  /** BullMQ telemetry (e.g. `new BullMQOtel('app')`), given to every queue and worker. */
  telemetry?: Telemetry;
  /** The backend every queue and worker runs on. @default 'redis' */
  backend?: BackendKind;
  removeOnComplete: boolean | number | KeepJobs;
  removeOnFail: boolean | number | KeepJobs;
  /** Milliseconds `enqueue` may take before it rejects with `MessagioUnavailableError`. */
  publishTimeout: number;
  /** Milliseconds `close` waits for deliveries in flight before it stops them (they are re-delivered). */
  shutdownTimeout: number;
}

/** What the registration of the default queue with `@nestjs/bullmq` reads. */
export interface BullMqQueueOptions {
  queueName: string;
  connection: ConnectionOptions | string | undefined;
  /** The PostgreSQL connection, when the queues run on PostgreSQL. */
  postgres: MessagioBackendOption['postgres'] | undefined;
  prefix: string | undefined;
  telemetry: Telemetry | undefined;
}

/** The BullMQ slice of the resolved module options: the transport's options and its queue's. */
export type ResolvedBullMqOptions = BullMqTransportOptions & BullMqQueueOptions & { queues: Map<string, MessagioQueueOptions>; workers: string[] };
