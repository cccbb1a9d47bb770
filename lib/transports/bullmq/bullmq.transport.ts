import { Logger } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions, type JobState } from 'bullmq';
import { MessagioClosedError } from '../../errors/messagio-closed.error.js';
import { MessagioUnavailableError } from '../../errors/messagio-unavailable.error.js';
import type { MessagioEnvelope } from '../../message/envelope.js';
import { matchesFailedFilter, type Delivery, type DeliveryCounts, type FailedFilter } from '../../contract/delivery.types.js';
import { splitDeliveryId } from '../../message/delivery-id.js';
import { unknownState, type DeliveryState, type DeliveryStatus } from '../../message/delivery-state.js';
import { toBullPriority } from './bullmq-priority.js';
import type { DeliveryHandler, MessagioTransport } from '../messagio-transport.interface.js';
import type { BullMqTransportOptions } from './bullmq-transport.options.js';

/** An `enqueue` in progress, and how to fail it when Redis takes too long. */
interface PendingStore {
  deadline: number;
  reject: (error: Error) => void;
}

/** Failed jobs read at a time by `failed` and `retryFailed`: bounded memory however many there are. */
const FAILED_PAGE = 200;

const STATUS: Record<JobState | 'unknown', DeliveryStatus> = {
  waiting: 'queued',
  prioritized: 'queued',
  'waiting-children': 'queued',
  active: 'running',
  delayed: 'delayed',
  completed: 'completed',
  failed: 'failed',
  unknown: 'unknown',
};

/**
 * Deliveries as BullMQ jobs: one job per (message, listener), job id
 * `messageId|listenerId`, data = the envelope, BullMQ priority and backoff from
 * the listener's options. The queue is the one registered with
 * `@nestjs/bullmq` (so `@InjectQueue` and dashboards see it); the worker is
 * ours, started after discovery.
 */
export class BullMqTransport implements MessagioTransport {
  readonly name = 'bullmq';
  private readonly logger = new Logger('Messagio');
  /** Every queue by name: the default one (registered with @nestjs/bullmq) first. */
  readonly queues = new Map<string, Queue<MessagioEnvelope>>();
  private workers: Array<{ worker: Worker<MessagioEnvelope>; ready: boolean }> = [];
  private lastRedisError = 0;
  /** Deliveries whose listener is running in this process. */
  private readonly running = new Set<Promise<unknown>>();
  /** `enqueue` calls waiting on Redis, oldest first (see withinPublishTimeout). */
  private readonly storing = new Set<PendingStore>();
  private storeTimer: NodeJS.Timeout | undefined;
  /** The queues are closed (or closing, after the listeners in flight finished): enqueue refuses. */
  private ended = false;

  constructor(
    readonly queue: Queue<MessagioEnvelope>,
    private readonly options: BullMqTransportOptions,
  ) {
    this.queues.set(queue.name, queue);
    const { connection, prefix } = queue.opts as { connection: never; prefix?: string };
    for (const name of options.queues?.keys() ?? []) {
      if (this.queues.has(name)) continue;
      // Extra queues share the default queue's connection settings, prefix and telemetry.
      this.queues.set(name, new Queue<MessagioEnvelope>(name, { connection, prefix, telemetry: options.telemetry }));
    }
    // Without a listener BullMQ prints every connection error raw to the console.
    for (const q of this.queues.values()) q.on('error', (error) => this.logRedisError('queue', error));
  }

  async enqueue(deliveries: Delivery[]): Promise<void> {
    if (this.ended) throw new MessagioClosedError(this.name);
    if (deliveries.length === 0) return;
    await this.withinPublishTimeout(async () => {
      // Refuse rather than let the client queue the command offline: a command
      // queued while Redis is away could be stored after fire() gave up.
      const client = await this.queue.getBackend().client;
      if (client.status !== 'ready') throw new MessagioUnavailableError(`Redis is not connected (${client.status}); the message was not stored.`);
      if (deliveries.length === 1) {
        const d = deliveries[0]!;
        await this.queueOf(d).add(d.envelope.type, d.envelope, this.jobOptions(d));
        return;
      }
      // addBulk stores a queue's jobs in one MULTI: one round trip per queue.
      const byQueue = new Map<Queue<MessagioEnvelope>, Delivery[]>();
      for (const d of deliveries) {
        const q = this.queueOf(d);
        const list = byQueue.get(q);
        if (list) list.push(d); // not a copy per delivery: fireMany of n would copy n²/2 entries
        else byQueue.set(q, [d]);
      }
      const stores = [...byQueue].map(([q, list]) => q.addBulk(list.map((d) => ({ name: d.envelope.type, data: d.envelope, opts: this.jobOptions(d) }))));
      // Every queue's store has ended before fire() rejects: what it says is then true.
      const results = await Promise.allSettled(stores);
      const refused = [...byQueue.keys()].flatMap((q, i) => {
        const result = results[i]!;
        return result.status === 'rejected' ? [{ queue: q.name, error: result.reason as Error }] : [];
      });
      if (refused.length > 0) throw partlyStored(refused, byQueue.size);
    });
  }

  async start(handler: DeliveryHandler): Promise<void> {
    const settings = this.options.worker;
    if (!settings || this.workers.length > 0) return;
    const { connection, prefix } = this.queue.opts as { connection: never; prefix?: string };
    for (const name of this.options.workers ?? [...this.queues.keys()]) {
      const own = this.options.queues?.get(name) ?? {};
      const entry = { worker: undefined as unknown as Worker<MessagioEnvelope>, ready: false };
      const worker = new Worker<MessagioEnvelope>(name, (job) => ((entry.ready = true), this.process(job, handler)), {
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
    if (this.storing.size === 0) {
      // Nothing to time out: do not keep the process alive for it.
      clearTimeout(this.storeTimer);
      this.storeTimer = undefined;
    }
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

  async inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    return Promise.all(
      deliveryIds.map(async (id) => {
        const found = await this.findJob(id);
        if (!found) return unknownState(id);
        const state = await found.getState();
        // Read the job again once it is finished: the first read may predate its last attempt.
        const job = state === 'completed' || state === 'failed' ? ((await found.queue.getJob(id)) ?? found) : found;
        return toState(job, state);
      }),
    );
  }

  async failed(filter: FailedFilter): Promise<DeliveryState[]> {
    const limit = filter.limit ?? 100;
    const found: DeliveryState[] = [];
    const page = FAILED_PAGE;
    for (const q of this.queues.values()) {
      for (let start = 0; found.length < limit; start += page) {
        const jobs = (await q.getFailed(start, start + page - 1)) as Job<MessagioEnvelope>[];
        for (const job of jobs) {
          if (!job) continue;
          if (!matchesFailedFilter(filter, job.data?.type, job.data?.listener)) continue;
          found.push(toState(job, 'failed'));
          if (found.length >= limit) break;
        }
        if (jobs.length < page) break;
      }
    }
    return found;
  }

  async retry(deliveryIds: string[]): Promise<string[]> {
    const retried: string[] = [];
    for (const id of deliveryIds) {
      const job = await this.findJob(id);
      if (job && (await job.getState()) === 'failed' && (await this.retryJob(job))) retried.push(id);
    }
    return retried;
  }

  /**
   * Retries every failed delivery matching the filter, a page of the failed
   * set (newest first) at a time. Each retried job leaves the set, so the next
   * page starts that many places earlier; a job that fails again meanwhile
   * comes back at the front, ahead of the cursor, and `done` keeps it from a
   * second retry. Jobs failing after the call began may be retried or not.
   */
  async retryFailed(filter: FailedFilter): Promise<string[]> {
    const retried: string[] = [];
    const done = new Set<string>();
    for (const q of this.queues.values()) {
      for (let start = 0; ; ) {
        const jobs = (await q.getFailed(start, start + FAILED_PAGE - 1)) as Array<Job<MessagioEnvelope> | undefined>;
        const chosen = jobs.filter(
          (job): job is Job<MessagioEnvelope> =>
            !!job?.id &&
            !done.has(job.id) &&
            matchesFailedFilter(filter, job.data?.type, job.data?.listener),
        );
        for (const job of chosen) done.add(job.id!);
        const ok = await Promise.all(chosen.map((job) => this.retryJob(job)));
        chosen.forEach((job, i) => ok[i] && retried.push(job.id!));
        if (jobs.length < FAILED_PAGE) break;
        // The chosen jobs (retried, or no longer failed) and those removed since the page was read
        // no longer take a place before the cursor.
        start += jobs.length - chosen.length - jobs.filter((job) => !job).length;
      }
    }
    return retried;
  }

  async counts(): Promise<DeliveryCounts> {
    const total: DeliveryCounts = { queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 };
    for (const q of this.queues.values()) {
      const c = await q.getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'completed', 'failed');
      total.queued += (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0);
      total.delayed += c.delayed ?? 0;
      total.running += c.active ?? 0;
      total.completed += c.completed ?? 0;
      total.failed += c.failed ?? 0;
    }
    return total;
  }

  private queueOf(delivery: Delivery): Queue<MessagioEnvelope> {
    return (delivery.queue !== undefined ? this.queues.get(delivery.queue) : undefined) ?? this.queue;
  }

  /** A delivery's job and its queue, in whichever queue its listener is routed to. */
  private async findJob(id: string): Promise<(Job<MessagioEnvelope> & { queue: Queue<MessagioEnvelope> }) | undefined> {
    for (const q of this.queues.values()) {
      const job = await q.getJob(id);
      if (job) return Object.assign(job, { queue: q });
    }
    return undefined;
  }

  /**
   * Moves a failed job back to the queue with a fresh retry budget, one retry
   * cycle later. The cycle goes into the envelope first (a crash in between
   * only skips a number): the worker reads it with the job, at no cost, and
   * the fault of a new final failure gets a new id. Data that is not a JSON
   * object cannot carry it. False when the job is no longer failed.
   */
  private async retryJob(job: Job<MessagioEnvelope>): Promise<boolean> {
    try {
      const data = job.data as unknown;
      if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
        await job.updateData({ ...(data as MessagioEnvelope), cycle: cycleOf(data) + 1 } as MessagioEnvelope);
      }
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (error) {
      // No longer failed (retried by another process, or removed): nothing to do. Else a real error.
      const failed = await job.isFailed().catch(() => true);
      if (failed) throw error;
      return false;
    }
  }

  /** Resolves when no listener of this process is running. */
  private async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async process(job: Job<MessagioEnvelope>, handler: DeliveryHandler): Promise<void> {
    const run = handler(job.data, { attempt: job.attemptsMade + 1, transport: this.name, cycle: cycleOf(job.data), id: job.id, name: job.name });
    this.running.add(run);
    const outcome = await run.finally(() => this.running.delete(run));
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
   * Rejects with `MessagioUnavailableError` when `store` is not done within
   * `publishTimeout`. Every call has the same timeout, so the stores in
   * progress expire in the order they started: one timer serves them all,
   * instead of a timer and a promise race per fire.
   */
  private withinPublishTimeout(store: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: PendingStore = { deadline: performance.now() + this.options.publishTimeout, reject };
      this.storing.add(pending);
      this.armStoreTimer();
      store().then(
        () => {
          if (this.storing.delete(pending)) resolve();
        },
        (error: unknown) => {
          if (!this.storing.delete(pending)) return;
          reject(
            error instanceof MessagioUnavailableError
              ? error
              : new MessagioUnavailableError(`Redis refused the message: ${(error as Error)?.message}`, { cause: error }),
          );
        },
      );
    });
  }

  /** Keeps a timer set at or before the oldest store's deadline while any store is in progress. */
  private armStoreTimer(): void {
    if (this.storeTimer !== undefined) return;
    const oldest = this.storing.values().next().value;
    if (!oldest) return;
    this.storeTimer = setTimeout(() => {
      this.storeTimer = undefined;
      const now = performance.now();
      for (const pending of this.storing) {
        if (pending.deadline > now) break;
        this.storing.delete(pending);
        pending.reject(new MessagioUnavailableError(`Redis did not store the message within ${this.options.publishTimeout} ms (publishTimeout).`));
      }
      this.armStoreTimer();
    }, Math.max(0, oldest.deadline - performance.now()));
  }

  // A dead Redis makes BullMQ report the same error many times a second.
  private logRedisError(source: 'queue' | 'worker', error: Error): void {
    const now = Date.now();
    if (now - this.lastRedisError < 5000) return;
    this.lastRedisError = now;
    this.logger.error(`BullMQ ${source} error (repeats muted for 5 s): ${error.message}`);
  }

  private jobOptions(d: Delivery): JobsOptions {
    const opts: JobsOptions = {
      jobId: d.id,
      removeOnComplete: this.options.removeOnComplete,
      removeOnFail: this.options.removeOnFail,
    };
    // A BullMQ priority only where priorities differ within the queue: adding a
    // prioritised job costs Redis about a third more (bench/README.md).
    if (d.prioritized !== false) opts.priority = toBullPriority(d.priority);
    // Without retries BullMQ's default (one attempt) is the same: nothing more to store per job.
    if (d.attempts > 1) {
      opts.attempts = d.attempts;
      opts.backoff = d.backoff;
    }
    if (d.delay > 0) opts.delay = d.delay;
    return opts;
  }
}

/** The error BullMQ records for an attempt: `failedReason` = `Name: message`, and the original stack. */
function jobError(error: Error, kind: new (message: string) => Error): Error {
  const recorded = new kind(`${error.name}: ${error.message}`);
  recorded.stack = error.stack;
  return recorded;
}

/** The retry cycle stored in a job's data by `retryJob` (0 before any). */
function cycleOf(data: unknown): number {
  const cycle = typeof data === 'object' && data !== null ? (data as { cycle?: unknown }).cycle : undefined;
  return typeof cycle === 'number' && Number.isInteger(cycle) && cycle > 0 ? cycle : 0;
}

function toState(job: Job<MessagioEnvelope>, state: JobState | 'unknown'): DeliveryState {
  const id = job.id ?? '';
  const status = STATUS[state] ?? 'unknown';
  const failedBefore = job.failedReason && status !== 'completed';
  return {
    id,
    ...splitDeliveryId(id),
    ...(job.data?.type ? { type: job.data.type } : {}),
    status,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    ...(failedBefore ? { error: job.failedReason, stack: job.stacktrace?.[job.stacktrace.length - 1] } : {}),
    ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn) } : {}),
  };
}

/**
 * A multi-delivery store that Redis refused, in part or whole. A MULTI is not
 * atomic and queues are stored separately: some deliveries may be stored, and
 * firing again with the same ids stores each of them once.
 */
function partlyStored(refused: Array<{ queue: string; error: Error }>, queues: number): MessagioUnavailableError {
  const which = refused.map((r) => `"${r.queue}" (${r.error?.message})`).join(', ');
  const others = refused.length < queues ? ' The deliveries to the other queues were stored.' : '';
  return new MessagioUnavailableError(
    `Redis refused the deliveries to queue ${which}; some deliveries may have been stored.${others} ` +
      'Fire again with the same messageId (fireMany: the same messageIds): a delivery already stored is not stored twice.',
    { cause: refused[0]!.error },
  );
}

/** Waits for a promise at most `ms`; never rejects. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
