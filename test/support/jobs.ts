import type { TestingModule } from '@nestjs/testing';
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { MESSAGIO_QUEUE } from '../../lib/index.js';
import { eventually } from './redis.js';

/** The BullMQ queue of an app, as `@InjectQueue(MESSAGIO_QUEUE)` gives it. */
export function queueOf(app: TestingModule): Queue {
  return app.get<Queue>(getQueueToken(MESSAGIO_QUEUE));
}

/** Waits until a job reaches one of `states`, and returns it fresh from Redis. */
export async function settled(queue: Queue, jobId: string, states = ['completed', 'failed'], timeout = 10_000): Promise<Job> {
  // State first, then the job: a job read before its state could predate the
  // attempt that settled it (stale attemptsMade, failedReason).
  await eventually(async () => states.includes(await queue.getJobState(jobId)), timeout, `job ${jobId} to be ${states.join('/')}`);
  return (await queue.getJob(jobId))!;
}
