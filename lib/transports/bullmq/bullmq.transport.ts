import { Logger } from '@nestjs/common';
import { UnrecoverableError, type Job, type Queue, type Worker } from 'bullmq';
import type { DedupeDecision, DedupeSpec } from '../../contract/dedupe.types.js';
import type { Delivery, DeliveryCounts, FailedFilter } from '../../contract/delivery.types.js';
import type { MessagioScheduleInfo, StoredScheduleSpec, TickHandler } from '../../contract/schedule.types.js';
import { MessagioClosedError } from '../../errors/messagio-closed.error.js';
import { MessagioUnavailableError } from '../../errors/messagio-unavailable.error.js';
import type { DeliveryState } from '../../message/delivery-state.js';
import type { MessagioEnvelope } from '../../message/envelope.js';
import type { DeliveryHandler, MessagioTransport } from '../messagio-transport.interface.js';
import { settleWithin } from '../settle-within.js';
import { checkStorableInPostgres, createQueue, createWorker, type BackendKind } from './bullmq-backend.js';
import { DEDUPE_JOB, runGate, storeGate, type GateHost } from './bullmq-dedupe.js';
import { cycleOf, jobError, jobOptions } from './bullmq-job.js';
import { BullMqQueries } from './bullmq-queries.js';
import { BullMqSchedules, isTickJob, runTick } from './bullmq-schedules.js';
import type { BullMqTransportOptions } from './bullmq-transport.options.js';
import { PublishDeadline } from './publish-deadline.js';
import { redisAddressOf } from './redis-address.js';
import { RedisConnectionState } from './redis-connection-state.js';

/**
 * Deliveries as BullMQ jobs: one job per (message, listener), job id
 * `messageId|listenerId`, data = the envelope, BullMQ priority and backoff from
 * the listener's options. The default queue is the one provided under
 * `@nestjs/bullmq`'s token (so `@InjectQueue` and dashboards see it); the
 * workers are ours, started after discovery. Redis, or PostgreSQL with the
 * `backend` option. The default queue also carries the ticks of schedules and
 * the gates of deduplicated fires (bullmq-schedules.ts, bullmq-dedupe.ts).
 */
export class BullMqTransport implements MessagioTransport {
  readonly name = 'bullmq';
  private readonly logger = new Logger('Messagio');
  /** Every queue by name: the default one (registered with @nestjs/bullmq) first. */
  readonly queues = new Map<string, Queue<MessagioEnvelope>>();
  /** Each queue's connection, as its events tell it: a store is refused at once while it is known to be down. */
  private readonly connections = new Map<Queue<MessagioEnvelope>, RedisConnectionState>();
  /** Where Redis is looked for (every queue and worker shares the connection settings), for logs and errors. */
  private readonly address: string;
  private workers: Array<{ worker: Worker<MessagioEnvelope>; ready: boolean }> = [];
  private lastRedisError = 0;
  /** Deliveries whose listener is running in this process. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly deadline: PublishDeadline;
  private readonly queries: BullMqQueries;
  private readonly schedules: BullMqSchedules;
  private readonly gates: GateHost;
  private readonly backend: BackendKind;
  private ticks: TickHandler | undefined;
  /** The queues are closed (or closing, after the listeners in flight finished): enqueue refuses. */
  private ended = false;

  constructor(
    readonly queue: Queue<MessagioEnvelope>,
    private readonly options: BullMqTransportOptions,
  ) {
    this.queues.set(queue.name, queue);
    this.backend = options.backend ?? 'redis';
    const { connection, prefix } = queue.opts as { connection: never; prefix?: string };
    for (const name of options.queues?.keys() ?? []) {
      if (this.queues.has(name)) continue;
      // Extra queues share the default queue's backend, connection settings, prefix and telemetry.
      this.queues.set(name, createQueue(this.backend, name, { connection, prefix, telemetry: options.telemetry }));
    }
    // PostgreSQL: BullMQ's pool fails a query it cannot run; Redis: each queue's connection is followed.
    this.address = this.backend === 'redis' ? redisAddressOf(connection) : 'backend.postgres';
    for (const q of this.queues.values()) {
      // Without a listener BullMQ prints every connection error raw to the console.
      q.on('error', (error) => this.logRedisError('queue', error));
      if (this.backend === 'redis') this.connections.set(q, new RedisConnectionState(q.getBackend(), this.address));
    }
    this.deadline = new PublishDeadline(options.publishTimeout, this.backend === 'postgres' ? 'PostgreSQL' : 'Redis');
    this.queries = new BullMqQueries(this.queues);
    this.schedules = new BullMqSchedules(queue, options);
    this.gates = {
      queue,
      removeOnComplete: options.removeOnComplete,
      removeOnFail: options.removeOnFail,
      store: (deliveries) => this.store(deliveries),
      states: (ids) => this.queries.inspect(ids, false),
    };
  }

  enqueue(deliveries: Delivery[]): Promise<void> {
    if (this.ended) return Promise.reject(new MessagioClosedError(this.name));
    if (deliveries.length === 0) return Promise.resolve();
    // Refuse rather than let the client queue the command offline: a command
    // queued while Redis is away could be stored after fire() gave up. A
    // connection known to be down (never connected and failing, or lost)
    // refuses at once, saying where and why; one still being made for the
    // first time is waited for, within publishTimeout, until it is ready or fails.
    if (this.backend === 'postgres') {
      try {
        checkStorableInPostgres(deliveries);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    if (deliveries.length > 1) return this.enqueueMany(deliveries);
    const d = deliveries[0]!;
    const queue = this.queueOf(d);
    const connection = this.connections.get(queue);
    const refused = connection?.refusal();
    if (refused) return Promise.reject(refused);
    const add = () => queue.add(d.envelope.type, d.envelope, jobOptions(d, this.options.removeOnComplete, this.options.removeOnFail));
    // Connected (the usual case, and always on PostgreSQL): the store starts now, with no frame of ours awaited per fire.
    return this.deadline.within(connection === undefined || connection.isReady ? add() : connection.connected().then(add), connection);
  }

  /** Several deliveries: addBulk stores a queue's jobs in one round trip per queue. */
  private async enqueueMany(deliveries: Delivery[]): Promise<void> {
    const byQueue = this.byQueue(deliveries);
    const connections = [...byQueue.keys()].flatMap((q) => this.connections.get(q) ?? []);
    for (const connection of connections) {
      const refused = connection.refusal();
      if (refused) throw refused;
    }
    const store = async () => {
      for (const connection of connections) if (!connection.isReady) await connection.connected();
      await this.storeBulk(byQueue);
    };
    await this.deadline.within(store(), connections[0]);
  }

  /**
   * `failFast`: resolves once every queue's connection is ready; rejects with
   * `MessagioUnavailableError` at the first connection error (ECONNREFUSED,
   * NOAUTH, WRONGPASS...), or when not connected within `timeout` ms. The
   * PostgreSQL backend is checked at bootstrap whatever `failFast` says
   * (an unreachable or unmigrated server fails `app.init()`).
   */
  async waitUntilReady(timeout: number): Promise<void> {
    if (this.backend === 'postgres') return;
    const connections = [...this.connections.values()];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)));
    try {
      await Promise.race([Promise.all(connections.map((c) => c.connected())), late]);
    } catch {
      const down = connections.find((c) => c.refusal() !== undefined) ?? connections[0]!;
      throw down.error(
        `Redis at ${down.address} cannot be used (${down.describe()}), and failFast is true: app.init() fails. ` +
          'Check the connection options (host, port, password, TLS) and that Redis is running.',
      );
    } finally {
      clearTimeout(timer);
    }
    const waiting = connections.find((c) => !c.isReady);
    if (waiting) {
      throw waiting.error(`Redis at ${waiting.address} did not connect within ${timeout} ms (connectTimeout, failFast: true): ${waiting.describe()}.`);
    }
  }



  /** A deduplicated fire: its gate, stored with BullMQ's deduplication (bullmq-dedupe.ts). */
  async enqueueDeduplicated(deliveries: Delivery[], dedupe: DedupeSpec): Promise<DedupeDecision> {
    if (this.ended) throw new MessagioClosedError(this.name);
    let decision: DedupeDecision = { deduplicated: false };
    await this.deadline.within(
      (async () => {
      await this.connected();
      if (this.backend === 'postgres') checkStorableInPostgres(deliveries);
      decision = await storeGate(this.gates, deliveries, dedupe);
      })(),
    );
    return decision;
  }

  upsertSchedule(id: string, spec: StoredScheduleSpec): Promise<void> {
    if (this.ended) return Promise.reject(new MessagioClosedError(this.name));
    return this.schedules.upsert(id, spec);
  }

  removeSchedule(id: string): Promise<boolean> {
    return this.schedules.remove(id);
  }

  listSchedules(): Promise<MessagioScheduleInfo[]> {
    return this.schedules.list();
  }

  /** enqueue's check, for the other stores: the default queue's Redis connection is ready, or becomes so (refused at once when known down). */
  private connected(): Promise<void> {
    const connection = this.connections.get(this.queue);
    return connection === undefined || connection.isReady ? Promise.resolve() : connection.connected();
  }

  /** Stores deliveries, one job each in its queue, one round trip per queue (no async frame of its own for one delivery). */
  private store(deliveries: Delivery[]): Promise<unknown> {
    if (deliveries.length === 1) {
      const d = deliveries[0]!;
      return this.queueOf(d).add(d.envelope.type, d.envelope, jobOptions(d, this.options.removeOnComplete, this.options.removeOnFail));
    }
    return this.storeBulk(this.byQueue(deliveries));
  }

  /** Deliveries grouped by their queue, in order. */
  private byQueue(deliveries: Delivery[]): Map<Queue<MessagioEnvelope>, Delivery[]> {
    const byQueue = new Map<Queue<MessagioEnvelope>, Delivery[]>();
    for (const d of deliveries) {
      const q = this.queueOf(d);
      const list = byQueue.get(q);
      if (list) list.push(d); // not a copy per delivery: fireMany of n would copy n²/2 entries
      else byQueue.set(q, [d]);
    }
    return byQueue;
  }

  /** addBulk stores a queue's jobs in one MULTI: one round trip per queue. */
  private async storeBulk(byQueue: Map<Queue<MessagioEnvelope>, Delivery[]>): Promise<void> {
    const stores = [...byQueue].map(([q, list]) => q.addBulk(list.map((d) => ({ name: d.envelope.type, data: d.envelope, opts: jobOptions(d, this.options.removeOnComplete, this.options.removeOnFail) }))));
    // Every queue's store has ended before fire() rejects: what it says is then true.
    const results = await Promise.allSettled(stores);
    const refused = [...byQueue.keys()].flatMap((q, i) => {
      const result = results[i]!;
      return result.status === 'rejected' ? [{ queue: q.name, error: result.reason as Error }] : [];
    });
    if (refused.length > 0) throw partlyStored(refused, byQueue.size, this.backend, this.backend === 'redis' ? this.address : undefined);
  }

  async start(handler: DeliveryHandler, ticks?: TickHandler): Promise<void> {
    const settings = this.options.worker;
    if (!settings || this.workers.length > 0) return;
    this.ticks = ticks;
    const { connection, prefix } = this.queue.opts as { connection: never; prefix?: string };
    for (const name of this.options.workers ?? [...this.queues.keys()]) {
      const own = this.options.queues?.get(name) ?? {};
      // Stored with the queue: every consuming process sets the same value, the last one wins.
      if (own.globalConcurrency !== undefined) await this.queues.get(name)!.setGlobalConcurrency(own.globalConcurrency);
      const entry = { worker: undefined as unknown as Worker<MessagioEnvelope>, ready: false };
      const worker = createWorker(this.backend, name, (job, token) => ((entry.ready = true), this.process(job, handler, token)), {
        connection,
        prefix,
        concurrency: own.concurrency ?? settings.concurrency,
        ...(own.limiter ? { limiter: own.limiter } : {}),
        lockDuration: settings.lockDuration,
        stalledInterval: settings.stalledInterval,
        maxStalledCount: settings.maxStalledCount,
        telemetry: this.options.telemetry,
        autorun: false,
      });
      entry.worker = worker;
      this.workers.push(entry);
      worker.on('error', (error) => this.logRedisError('worker', error));
      worker.on('failed', (job, error) => this.failedUnrun(job, error, handler));
      worker.waitUntilReady().then(
        () => (entry.ready = true),
        () => undefined,
      );
      void worker.run().catch((error: Error) => this.logger.error(`BullMQ worker of "${name}" stopped: ${error.message}`, error.stack));
    }
  }

  /** True when this process consumes and every worker is running. */
  isRunning(): boolean {
    return this.workers.length > 0 && this.workers.every(({ worker }) => worker.isRunning());
  }

  async pause(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.pause()));
  }

  async resume(): Promise<void> {
    for (const { worker } of this.workers) worker.resume();
  }

  /**
   * Stops fetching, waits up to `shutdownTimeout` for deliveries in flight,
   * closes the worker, then the queue (so @nestjs/bullmq finds it closed).
   * Deliveries still running after the timeout are left to stalled-job
   * recovery (re-run elsewhere), never lost. Bounded even when Redis is gone.
   */
  async close(): Promise<void> {
    this.deadline.releaseIdle();
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map(({ worker, ready }) => this.closeWorker(worker, ready)));
    this.ended = true;
    await Promise.all(
      [...this.queues.values()].map(async (q) => {
        if ((await settleWithin(q.close(), 2000)) === 'timeout') await settleWithin(q.disconnect(), 2000);
      }),
    );
  }

  private async closeWorker(worker: Worker<MessagioEnvelope>, ready: boolean): Promise<void> {
    const deadline = Date.now() + this.options.shutdownTimeout;
    // Stop fetching, then wait for our listeners in flight ourselves: BullMQ's close()
    // does not always wait for jobs its loop has already handed to the processor.
    await settleWithin(worker.pause(true), 1000);
    await settleWithin(this.drained(), deadline - Date.now());
    // BullMQ's PostgreSQL backend names its LISTEN connection as it connects: closed before,
    // that connection would outlive the worker. Let it connect first (bounded: the server may be gone).
    if (!ready && this.backend === 'postgres') {
      await settleWithin(worker.waitUntilReady().then(() => (ready = true)), 2000);
    }
    // A worker that never connected has nothing in flight: no need to wait for it.
    const closing = worker.close(!ready);
    if ((await settleWithin(closing, Math.max(deadline - Date.now(), 1000))) === 'timeout') {
      this.logger.warn(
        `Worker of "${worker.name}" not closed after ${this.options.shutdownTimeout} ms (deliveries still running, or Redis unreachable); ` +
          'disconnecting. Unfinished deliveries will be re-delivered.',
      );
      await settleWithin(worker.disconnect(), 2000);
      await settleWithin(closing, 2000);
    }
  }

  inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    return this.queries.inspect(deliveryIds);
  }

  failed(filter: FailedFilter): Promise<DeliveryState[]> {
    return this.queries.failed(filter);
  }

  retry(deliveryIds: string[]): Promise<string[]> {
    return this.queries.retry(deliveryIds);
  }

  retryFailed(filter: FailedFilter): Promise<string[]> {
    return this.queries.retryFailed(filter);
  }

  counts(): Promise<DeliveryCounts> {
    return this.queries.counts();
  }

  private queueOf(delivery: Delivery): Queue<MessagioEnvelope> {
    return (delivery.queue !== undefined ? this.queues.get(delivery.queue) : undefined) ?? this.queue;
  }

  /** Resolves when no listener of this process is running. */
  private async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async process(job: Job<MessagioEnvelope>, handler: DeliveryHandler, token?: string): Promise<void> {
    // The default queue also carries schedule ticks and dedupe gates: not deliveries.
    if (job.name === DEDUPE_JOB && job.queueName === this.queue.name) return runGate(this.gates, job as Job, token);
    if (isTickJob(job as Job) && job.queueName === this.queue.name) return runTick(job as Job, this.ticks);
    const run = handler(job.data, { attempt: job.attemptsMade + 1, transport: this.name, cycle: cycleOf(job.data), id: job.id, name: job.name });
    this.running.add(run);
    let outcome: Awaited<typeof run>;
    try {
      outcome = await run;
    } finally {
      // Not run.finally(): that is two more promises per delivery.
      this.running.delete(run);
    }
    if (outcome.status === 'completed') return;
    if (outcome.status === 'retry') {
      // The worker's decision is what happens, whatever attempts and backoff
      // the firing process stored (it may have had other listener options):
      // BullMQ decides from this job object's opts when the error is thrown,
      // then moves the job to delayed in one script that counts the attempt
      // and records the reason. Nothing is written beforehand (a crash before
      // that script re-runs the attempt, decided again), nor on success.
      job.opts.attempts = job.attemptsMade + 2;
      job.opts.backoff = { type: 'fixed', delay: outcome.delay };
      throw jobError(outcome.error, Error);
    }
    // Failed for good: no retry, whatever attempts remain.
    throw jobError(outcome.error, UnrecoverableError);
  }

  /**
   * A job that stalled more than `maxStalledCount` times is failed by BullMQ's
   * worker before any processor sees it (its deferred failure): the handler
   * reports it as every final failure is (log, observers, fault). BullMQ has
   * already failed the job: a crash right now loses this report, not the job.
   */
  private failedUnrun(job: Job<MessagioEnvelope> | undefined, error: Error, handler: DeliveryHandler): void {
    if (job === undefined || job.deferredFailure === undefined || error?.message !== job.deferredFailure) return;
    if ((job.name === DEDUPE_JOB || isTickJob(job as Job)) && job.queueName === this.queue.name) return;
    const attempt = { attempt: Math.max(job.attemptsMade, 1), transport: this.name, cycle: cycleOf(job.data), id: job.id, name: job.name, refused: error };
    const run = handler(job.data, attempt);
    // Waited for by close(), as a delivery in flight is.
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  // A dead Redis (or PostgreSQL) makes BullMQ report the same error many times a second.
  private logRedisError(source: 'queue' | 'worker', error: Error): void {
    const now = Date.now();
    if (now - this.lastRedisError < 5000) return;
    this.lastRedisError = now;
    const where = this.backend === 'redis' ? `Redis at ${this.address}` : 'PostgreSQL';
    this.logger.error(`BullMQ ${source} error, ${where} (repeats muted for 5 s): ${error.message}`);
  }
}

/**
 * A multi-delivery store that Redis refused, in part or whole. A MULTI is not
 * atomic and queues are stored separately: some deliveries may be stored, and
 * firing again with the same ids stores each of them once.
 */
function partlyStored(refused: Array<{ queue: string; error: Error }>, queues: number, backend: BackendKind, host: string | undefined): MessagioUnavailableError {
  const which = refused.map((r) => `"${r.queue}" (${r.error?.message})`).join(', ');
  const others = refused.length < queues ? ' The deliveries to the other queues were stored.' : '';
  return new MessagioUnavailableError(
    `${backend === 'postgres' ? 'PostgreSQL' : 'Redis'} refused the deliveries to queue ${which}; some deliveries may have been stored.${others} ` +
      'Fire again with the same messageId (fireMany: the same messageIds): a delivery already stored is not stored twice.',
    { host, cause: refused[0]!.error },
  );
}
