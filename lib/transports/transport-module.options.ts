import type { MessagioTransport } from './messagio-transport.interface.js';

/** Which transport carries deliveries. */
export type MessagioTransportOption = 'bullmq' | 'memory' | MessagioTransport;

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

/** The module options every transport reads. */
export interface TransportModuleOptions {
  /**
   * `'bullmq'` (Redis), `'memory'` (this process only, nothing survives a
   * restart), or your own `MessagioTransport`.
   * @default 'bullmq'
   */
  transport?: MessagioTransportOption;
  /**
   * Whether this process consumes deliveries. `false` makes a publish-only
   * process (a web tier, say); listeners are still discovered, since the
   * publisher needs them to fan a message out.
   * @default true (concurrency 1)
   */
  worker?: boolean | MessagioWorkerOptions;
  /**
   * Milliseconds `app.close()` waits for deliveries in flight before it stops
   * them. BullMQ: stopped deliveries are re-delivered, never lost. Memory: it
   * stops waiting for them and warns (nothing in memory survives close).
   * @default 30000
   */
  shutdownTimeout?: number;
  /**
   * `true`: `app.init()` waits for the transport's connection (BullMQ: every
   * queue's Redis connection) and rejects with `MessagioUnavailableError`
   * at its first error (`ECONNREFUSED`, `NOAUTH`, `WRONGPASS`...) or after
   * `connectTimeout`, instead of starting an app that cannot store anything.
   * `false`: the app starts whatever Redis does (an app started before its
   * Redis keeps starting); while Redis cannot be used, each fire rejects at
   * once with `MessagioUnavailableError` naming the host and the error.
   * @default false
   */
  failFast?: boolean;
  /**
   * With `failFast`: milliseconds `app.init()` waits for the connection to be
   * ready. (Not ioredis's own `connectTimeout`, which bounds one attempt.)
   * @default 5000
   */
  connectTimeout?: number;
}

/** The startup check `failFast` asks for: `connectTimeout` ms, or none. */
export interface StartupCheck {
  /** Milliseconds `app.init()` waits for the transport to be ready; `undefined`: no check (`failFast: false`). */
  connectTimeout: number | undefined;
}

/** The worker settings with their defaults, checked. */
export type ResolvedWorkerOptions = Required<MessagioWorkerOptions>;

/**
 * Whether this process consumes, resolved at bootstrap: the lifecycle starts
 * the transport's consumers only when `enabled`; the health indicator reports
 * the workers as disabled when nothing is consumed.
 */
export interface WorkerSettings {
  enabled: boolean;
  /** Queues this process consumes (BullMQ's named queues; every declared one by default). */
  queues: readonly string[];
}
