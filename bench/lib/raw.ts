// The hand-written BullMQ code that messagio is measured against: a Queue and a
// Worker used directly, with the same retention as messagio's defaults.
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { DEFAULT_REMOVE_ON_COMPLETE, DEFAULT_REMOVE_ON_FAIL } from '../../lib/messagio.options.js';
import type { OrderPayload } from './messages.js';
import type { RedisTarget } from './redis.js';

/** Job options a careful raw user sets: bounded retention, like messagio's defaults. */
export const RAW_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: DEFAULT_REMOVE_ON_COMPLETE,
  removeOnFail: DEFAULT_REMOVE_ON_FAIL,
};

export function rawQueue(redis: RedisTarget, name: string): Queue<OrderPayload> {
  return new Queue<OrderPayload>(name, { connection: { host: redis.host, port: redis.port } });
}

export function rawWorker(
  redis: RedisTarget,
  name: string,
  concurrency: number,
  processor: (job: Job<OrderPayload>) => Promise<unknown>,
  autorun = true,
): Worker<OrderPayload> {
  return new Worker<OrderPayload>(name, processor, {
    connection: { host: redis.host, port: redis.port },
    concurrency,
    autorun,
  });
}
