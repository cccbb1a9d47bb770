import type { JobsOptions, KeepJobs } from 'bullmq';
import type { Delivery } from '../../contract/delivery.types.js';
import { toBullPriority } from './bullmq-priority.js';

// A delivery as a BullMQ job: its options when stored, the error recorded
// for a failed attempt, the retry cycle kept in its data.

/** The job options of a delivery: its id, the queue's retention, and only what differs from BullMQ's defaults. */
export function jobOptions(d: Delivery, removeOnComplete: boolean | number | KeepJobs, removeOnFail: boolean | number | KeepJobs): JobsOptions {
  const opts: JobsOptions = { jobId: d.id, removeOnComplete, removeOnFail };
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

/** The error BullMQ records for an attempt: `failedReason` = `Name: message`, and the original stack. */
export function jobError(error: Error, kind: new (message: string) => Error): Error {
  const recorded = new kind(`${error.name}: ${error.message}`);
  recorded.stack = error.stack;
  return recorded;
}

/** The retry cycle stored in a job's data by `MessagioAdmin.retry` (0 before any). */
export function cycleOf(data: unknown): number {
  const cycle = typeof data === 'object' && data !== null ? (data as { cycle?: unknown }).cycle : undefined;
  return typeof cycle === 'number' && Number.isInteger(cycle) && cycle > 0 ? cycle : 0;
}
