// The hand-written BullMQ code that messagio is measured against: a Queue and a
// Worker used directly, with the same retention as messagio's defaults.
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { ENVELOPE_VERSION, type MessagioEnvelope } from '../../lib/index.js';
import { toBullPriority } from '../../lib/transports/bullmq/bullmq-priority.js';
import { DEFAULT_REMOVE_ON_COMPLETE, DEFAULT_REMOVE_ON_FAIL } from '../../lib/transports/bullmq/bullmq-transport.options.js';
import { orderPayload, type OrderPayload } from './messages.js';
import type { RedisTarget } from './redis.js';

/** Job options a careful raw user sets: bounded retention, like messagio's defaults. */
export const RAW_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: DEFAULT_REMOVE_ON_COMPLETE,
  removeOnFail: DEFAULT_REMOVE_ON_FAIL,
};

export function rawQueue<T = OrderPayload>(redis: RedisTarget, name: string): Queue<T> {
  return new Queue<T>(name, { connection: { host: redis.host, port: redis.port } });
}

export function rawWorker<T = OrderPayload>(
  redis: RedisTarget,
  name: string,
  concurrency: number,
  processor: (job: Job<T>) => Promise<unknown>,
): Worker<T> {
  return new Worker<T>(name, processor, { connection: { host: redis.host, port: redis.port }, concurrency });
}

/**
 * Diagnostic baseline, not what a raw user writes: a raw job shaped exactly
 * like one messagio delivery (the envelope as data, job id `messageId|listener`,
 * and a BullMQ priority when `priority` is given, i.e. when listeners of
 * different priorities share the queue) but added and processed by plain
 * BullMQ code. messagio against it = the cost of our own code; it against
 * plain raw = the cost of the delivery model in Redis and BullMQ. (The
 * benchmark's listeners have no retries: messagio stores no attempts/backoff.)
 */
export function messagioShapedJob(payload: OrderPayload, type: string, listener: string, priority?: number) {
  const id = randomUUID();
  const data: MessagioEnvelope = {
    v: ENVELOPE_VERSION,
    type,
    id,
    traceId: randomUUID(),
    causationId: null,
    firedAt: new Date().toISOString(),
    listener,
    payload: { ...payload },
  };
  const opts: JobsOptions = { ...RAW_JOB_OPTIONS, jobId: `${id}|${listener}` };
  if (priority !== undefined) opts.priority = toBullPriority(priority);
  return { name: type, data, opts };
}

/** Key prefix of the diagnostic trials (see messagioShapedJob). */
export const SHAPED = 'raw messagio-shaped';

/**
 * How the raw producer trials add one OrderPlaced job: plain, or `shaped`
 * like a messagio delivery (the diagnostic baseline).
 */
export function orderPlacedAdder(shaped: boolean): (queue: Queue<unknown>, seq: number) => Promise<unknown> {
  return shaped
    ? (queue, seq) => {
        const job = messagioShapedJob(orderPayload(seq), 'bench.order-placed', 'OrderPlacedListener.handle');
        return queue.add(job.name, job.data, job.opts);
      }
    : (queue, seq) => queue.add('bench.order-placed', orderPayload(seq), RAW_JOB_OPTIONS);
}
