import type { Job, JobState, Queue } from 'bullmq';
import { matchesFailedFilter, type DeliveryCounts, type FailedFilter } from '../../contract/delivery.types.js';
import { splitDeliveryId } from '../../message/delivery-id.js';
import { unknownState, type DeliveryState, type DeliveryStatus } from '../../message/delivery-state.js';
import type { MessagioEnvelope } from '../../message/envelope.js';
import { DEDUPE_JOB, gateIdOf, stateFromGate } from './bullmq-dedupe.js';
import { cycleOf } from './bullmq-job.js';
import { SCHEDULE_JOB } from './bullmq-schedules.js';

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
 * The BullMQ transport's admin side (`MessagioAdmin`, `receipt.wait()`):
 * delivery states, failed deliveries, retries and counts, over every queue.
 */
export class BullMqQueries {
  /** The default queue: it holds the gates of deduplicated messages. */
  private readonly defaultQueue: Queue<MessagioEnvelope>;

  constructor(private readonly queues: ReadonlyMap<string, Queue<MessagioEnvelope>>) {
    this.defaultQueue = queues.values().next().value!;
  }

  /**
   * The deliveries' states. A delivery not stored yet whose message waits in
   * a dedupe gate (bullmq-dedupe.ts) has the gate's state, unless `gates` is false.
   */
  async inspect(deliveryIds: string[], gates = true): Promise<DeliveryState[]> {
    return Promise.all(
      deliveryIds.map(async (id) => {
        let found = await this.findJob(id);
        if (!found && gates) {
          const gated = await this.gateState(id);
          if (gated) return gated;
          // A gate that finished stored its deliveries first: one missed above is there now, unless removed.
          found = await this.findJob(id);
        }
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
          if (!job || isInternal(job)) continue;
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
            !!job?.id && !isInternal(job) && !done.has(job.id) && matchesFailedFilter(filter, job.data?.type, job.data?.listener),
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

  /** The state a delivery not stored yet takes from its message's dedupe gate, if the gate still holds it. */
  private async gateState(id: string): Promise<DeliveryState | undefined> {
    const { messageId, listener } = splitDeliveryId(id);
    const gate = await this.defaultQueue.getJob(gateIdOf(messageId));
    if (!gate) return undefined;
    return stateFromGate(id, messageId, listener, gate as Job, await gate.getState());
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
}

/** A schedule tick or a dedupe gate: jobs of the default queue that are not deliveries. */
function isInternal(job: Job): boolean {
  return job.name === SCHEDULE_JOB || job.name === DEDUPE_JOB;
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
