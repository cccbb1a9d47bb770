import { UnrecoverableError, type Job, type JobSchedulerJson, type KeepJobs, type Queue, type RepeatOptions } from 'bullmq';
import type { MessagioScheduleInfo, StoredScheduleSpec, TickHandler } from '../../contract/schedule.types.js';
import type { MessagioEnvelope } from '../../message/envelope.js';
import { jobError } from './bullmq-job.js';

// Schedules as BullMQ job schedulers on the default queue: BullMQ keeps one
// next tick per scheduler id, whichever process upserts it and however often,
// so a tick runs once across every process. A tick is a job named
// SCHEDULE_JOB holding only the schedule id: the scheduler (delivery/) fires
// the real message when a worker takes it.

/** Name of a tick job, and of the template of the schedulers messagio owns. */
export const SCHEDULE_JOB = 'messagio.schedule';

/** Attempts at a tick whose fire failed for a reason that may pass (Redis briefly away). */
const TICK_ATTEMPTS = 3;

/** What a tick job stores. */
interface TickData {
  schedule: string;
}

/** The schedules of the BullMQ transport, on its default queue. */
export class BullMqSchedules {
  constructor(
    private readonly queue: Queue<MessagioEnvelope>,
    private readonly retention: { removeOnComplete: boolean | number | KeepJobs; removeOnFail: boolean | number | KeepJobs },
  ) {}

  async upsert(id: string, spec: StoredScheduleSpec): Promise<void> {
    const repeat: Omit<RepeatOptions, 'key'> = {};
    if (spec.every !== undefined) repeat.every = spec.every;
    if (spec.cron !== undefined) repeat.pattern = spec.cron;
    if (spec.tz !== undefined) repeat.tz = spec.tz;
    if (spec.startDate !== undefined) repeat.startDate = spec.startDate;
    if (spec.endDate !== undefined) repeat.endDate = spec.endDate;
    if (spec.limit !== undefined) repeat.limit = spec.limit;
    const data: TickData = { schedule: id };
    await this.queue.upsertJobScheduler(id, repeat, {
      name: SCHEDULE_JOB,
      data: data as unknown as MessagioEnvelope,
      opts: {
        attempts: TICK_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: this.retention.removeOnComplete,
        removeOnFail: this.retention.removeOnFail,
      },
    });
  }

  /** Removes a scheduler messagio owns (a scheduler of another name on the same queue is left alone). */
  async remove(id: string): Promise<boolean> {
    const scheduler = await this.queue.getJobScheduler(id);
    if (scheduler?.name !== SCHEDULE_JOB) return false;
    return this.queue.removeJobScheduler(id);
  }

  async list(): Promise<MessagioScheduleInfo[]> {
    const schedulers = await this.queue.getJobSchedulers(0, -1, true);
    return schedulers.filter((s) => s.name === SCHEDULE_JOB).map(toInfo);
  }
}

/** True for a tick job of a messagio schedule. */
export function isTickJob(job: Job): boolean {
  return job.name === SCHEDULE_JOB && typeof job.repeatJobKey === 'string';
}

/**
 * Runs a tick job through the scheduler's handler. A failure the handler says
 * may pass is retried by BullMQ (a few attempts); any other fails the tick for
 * good. The schedule's next tick was planned when the worker took this one.
 */
export async function runTick(job: Job, ticks: TickHandler | undefined): Promise<void> {
  if (!ticks) throw new UnrecoverableError(`Tick ${job.id} of schedule "${job.repeatJobKey}" reached a worker without a tick handler.`);
  const outcome = await ticks({
    schedule: job.repeatJobKey!,
    at: tickTimeOf(job),
    id: job.id,
    lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
  });
  if (outcome.status === 'failed') throw jobError(outcome.error, outcome.retry ? Error : UnrecoverableError);
}

/** The time a tick was due: its job id is `repeat:<schedule>:<epoch ms>` (BullMQ's), else its job's run time. */
function tickTimeOf(job: Job): number {
  const at = Number(job.id?.slice(job.id.lastIndexOf(':') + 1));
  return Number.isSafeInteger(at) && at > 0 ? at : job.timestamp + (job.delay ?? 0);
}

function toInfo(s: JobSchedulerJson): MessagioScheduleInfo {
  return {
    id: s.key,
    ...(s.every !== undefined ? { every: s.every } : {}),
    ...(s.pattern !== undefined ? { cron: s.pattern } : {}),
    ...(s.tz !== undefined ? { tz: s.tz } : {}),
    ...(s.startDate !== undefined ? { startDate: s.startDate } : {}),
    ...(s.endDate !== undefined ? { endDate: s.endDate } : {}),
    ...(s.limit !== undefined ? { limit: s.limit } : {}),
    ...(s.next !== undefined && s.next !== null && !ended(s) ? { next: new Date(s.next) } : {}),
    iterations: s.iterationCount ?? 0,
  };
}

/** BullMQ keeps a scheduler that reached its limit, with its last tick's time: it has no next tick once that one is past. */
function ended(s: JobSchedulerJson): boolean {
  return s.limit !== undefined && (s.iterationCount ?? 0) >= s.limit && (s.next ?? 0) <= Date.now();
}
