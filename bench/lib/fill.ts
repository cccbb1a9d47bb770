// Backlogs for the drain scenarios (3 and 9): filled before the clock starts.
import { createMessagioApp } from './apps.js';
import { OrderPlacedListener } from './listeners.js';
import { OrderPlaced, orderPayload } from './messages.js';
import { RAW_JOB_OPTIONS, messagioShapedJob, rawQueue } from './raw.js';
import type { RedisTarget } from './redis.js';

const FILL_BATCH = 1000;

/** Fills `queueName` with `n` messagio deliveries, through a publish-only app (on PostgreSQL when given its URL). */
export async function fillWithMessagio(redis: RedisTarget, queueName: string, n: number, postgres?: string): Promise<void> {
  const producer = await createMessagioApp({ redis, postgres, queueName, concurrency: false, validate: false, listeners: [OrderPlacedListener] });
  try {
    for (let start = 0; start < n; start += FILL_BATCH) {
      const count = Math.min(FILL_BATCH, n - start);
      await producer.publisher.fireMany(Array.from({ length: count }, (_, i) => new OrderPlaced(orderPayload(start + i))));
    }
  } finally {
    await producer.close();
  }
}

/** Fills `queueName` with `n` raw jobs of the same payload. */
export async function fillRaw(redis: RedisTarget, queueName: string, n: number): Promise<void> {
  const queue = rawQueue(redis, queueName);
  try {
    for (let start = 0; start < n; start += FILL_BATCH) {
      const count = Math.min(FILL_BATCH, n - start);
      await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'bench.order-placed', data: orderPayload(start + i), opts: RAW_JOB_OPTIONS })));
    }
  } finally {
    await queue.close();
  }
}

/** Fills `queueName` with `n` raw jobs shaped like messagio deliveries (diagnostic). */
export async function fillShaped(redis: RedisTarget, queueName: string, n: number): Promise<void> {
  const queue = rawQueue<unknown>(redis, queueName);
  try {
    for (let start = 0; start < n; start += FILL_BATCH) {
      const count = Math.min(FILL_BATCH, n - start);
      await queue.addBulk(Array.from({ length: count }, (_, i) => messagioShapedJob(orderPayload(start + i), 'bench.order-placed', 'OrderPlacedListener.handle')));
    }
  } finally {
    await queue.close();
  }
}
