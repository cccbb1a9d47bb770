import { MessagioConfigurationError } from '../../errors/messagio-configuration.error.js';
import type { MessagioClock } from '../clock.js';

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

/** The module options only the in-memory transport reads. */
export interface MemoryTransportModuleOptions {
  /** In-memory transport settings (backpressure). */
  memory?: MessagioMemoryOptions;
}

/** Settings of the in-memory transport. */
export interface MemoryTransportOptions {
  /** Deliveries run at once; 1 by default. `false`: store only, never run (publish-only). */
  worker?: false | { concurrency: number };
  /** Completed deliveries remembered (idempotency and status), like BullMQ's retention. */
  keepCompleted?: number;
  /** Failed deliveries remembered (status, `failed()`, `retry()`). */
  keepFailed?: number;
  /**
   * Backpressure: while this many deliveries (or more) wait to run, `enqueue`
   * (so `fire()`) waits for one to start before it stores its own. Not
   * applied to fires made from a delivery of this transport (they would wait
   * on themselves), with no consumer (publish-only, not started, paused), nor
   * to delayed deliveries (scheduled, not waiting). `Infinity`: no bound.
   * @default 1000
   */
  maxWaiting?: number;
  /**
   * Milliseconds `close()` waits for deliveries in flight; past it, it warns
   * and returns without them.
   * @default 30000
   */
  shutdownTimeout?: number;
  clock?: MessagioClock;
}

/** A whole number ≥ 1 (or `Infinity` where allowed), else a configuration error naming the option. */
export function checkBound(value: number, name: string, infinite: boolean): number {
  if ((infinite && value === Infinity) || (Number.isInteger(value) && value >= 1)) return value;
  throw new MessagioConfigurationError(`MemoryTransport ${name} must be a whole number ≥ 1${infinite ? ' or Infinity' : ''}, got ${String(value)}.`);
}
