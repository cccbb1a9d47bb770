import { Inject, Injectable, Optional } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { MESSAGIO_QUEUE, MESSAGIO_TRANSPORT, MESSAGIO_WORKER } from '../messagio.constants.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import type { WorkerSettings } from '../transports/transport-module.options.js';

/** Options of `MessagioHealthIndicator.isHealthy()`. */
export interface MessagioHealthCheckOptions {
  /**
   * Milliseconds the whole check (Redis PING included) may take; past it the
   * indicator is `down`, never hanging the health endpoint.
   * @default 1000
   */
  timeout?: number;
}

/** A transport that can say whether its workers run (the BullMQ transport can). */
interface RunningTransport extends MessagioTransport {
  isRunning(): boolean;
}

/**
 * `@nestjs/terminus` health indicator for messagio: Redis reachable (a PING
 * through the messagio queue's own connection, bounded by a timeout) and this
 * process's workers running.
 *
 * ```ts
 * @Module({ imports: [TerminusModule], controllers: [HealthController], providers: [MessagioHealthIndicator] })
 * ...
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.messagio.isHealthy('messagio', { timeout: 1000 })]); }
 * ```
 *
 * Imported from `nestjs-messagio/health`, so apps without terminus never load it.
 * @publicApi
 */
@Injectable()
export class MessagioHealthIndicator {
  private lastRedisError: { message: string; at: number } | undefined;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(MESSAGIO_TRANSPORT) private readonly transport: MessagioTransport,
    @Inject(MESSAGIO_WORKER) private readonly worker: WorkerSettings,
    // Absent with the memory or a custom transport: there is no Redis to check then.
    @Optional() @Inject(getQueueToken(MESSAGIO_QUEUE)) private readonly queue?: Queue,
  ) {
    // Kept to say *why* Redis is unreachable ("connect ECONNREFUSED ..."), not just that it is.
    this.queue?.on('error', (error: Error) => (this.lastRedisError = { message: error.message, at: Date.now() }));
  }

  /**
   * `up` when Redis answers a PING within `timeout` (on the PostgreSQL
   * backend: a count of the queue's jobs) and the workers of this process run
   * (or it is publish-only, `worker: false`); `down` otherwise, with a
   * `message` saying what is wrong. Details: `transport`, `queue`, `redis`
   * (`'up' | 'down' | 'not used'`), `postgres` (`'up' | 'down'`, PostgreSQL
   * backend only), `pingMs`, `workers`
   * (`'running' | 'not running' | 'disabled' | 'not reported'`).
   */
  async isHealthy(key = 'messagio', { timeout = 1000 }: MessagioHealthCheckOptions = {}): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    const problems: string[] = [];
    const details: Record<string, unknown> = { transport: this.transport.name };

    if (this.queue && !isRedis(this.queue)) {
      // BullMQ's PostgreSQL backend has no PING: a count of the queue's jobs is the round trip.
      details.queue = this.queue.name;
      details.redis = 'not used';
      const started = Date.now();
      try {
        await within(this.queue.getJobCounts('waiting'), timeout, () => `PostgreSQL did not answer within ${timeout} ms`);
        details.postgres = 'up';
        details.pingMs = Date.now() - started;
      } catch (error) {
        details.postgres = 'down';
        problems.push(`PostgreSQL: ${(error as Error).message}`);
      }
    } else if (this.queue) {
      details.queue = this.queue.name;
      const started = Date.now();
      const connection: { client?: { status: string } } = {};
      try {
        await within(this.ping(this.queue, connection), timeout, () =>
          `Redis did not answer PING within ${timeout} ms${this.connectionTrouble(connection.client?.status)}`,
        );
        details.redis = 'up';
        details.pingMs = Date.now() - started;
      } catch (error) {
        details.redis = 'down';
        problems.push((error as Error).message);
      }
    } else {
      details.redis = 'not used';
    }

    details.workers = this.workers();
    if (details.workers === 'not running') problems.push('messagio workers are not running in this process');

    return problems.length > 0 ? check.down({ message: problems.join('; '), ...details }) : check.up(details);
  }

  private async ping(queue: Queue, connection: { client?: { status: string } }): Promise<void> {
    const client = await queue.getBackend().client;
    connection.client = client; // its status at the timeout, if it comes, says more than at the start
    // A client that is not 'ready' would queue the PING until it reconnects: say so now instead.
    if (client.status !== 'ready') throw new Error(`Redis is not reachable${this.connectionTrouble(client.status)}`);
    // BullMQ 6 types its client as an adapter interface without PING; the ioredis client has it.
    const pingable = client as typeof client & { ping?(): Promise<string> };
    if (typeof pingable.ping !== 'function') {
      await client.info(); // another client library: any round trip proves Redis answers
      return;
    }
    const answer = await pingable.ping();
    if (answer !== 'PONG') throw new Error(`Redis answered PING with ${JSON.stringify(answer)}`);
  }

  /** ` (connection reconnecting): connect ECONNREFUSED ...` — what the client last said, if anything. */
  private connectionTrouble(status: string | undefined): string {
    const state = status !== undefined && status !== 'ready' ? ` (connection ${status})` : '';
    const error = this.lastRedisError && Date.now() - this.lastRedisError.at < 60_000 ? `: ${this.lastRedisError.message}` : '';
    return state + error;
  }

  private workers(): 'running' | 'not running' | 'disabled' | 'not reported' {
    // Publish-only: `worker: false`, or (with named queues) `workers: []`.
    if (!this.worker.enabled || this.worker.queues.length === 0) return 'disabled';
    const transport = this.transport as Partial<RunningTransport>;
    if (typeof transport.isRunning !== 'function') return 'not reported';
    return transport.isRunning() ? 'running' : 'not running';
  }
}

/** True when the queue runs on Redis (the PostgreSQL backend has no Redis client). */
function isRedis(queue: Queue): boolean {
  return (queue.getBackend() as { client?: unknown }).client !== undefined;
}

/** Resolves or rejects like `promise`, or rejects with `message()` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
