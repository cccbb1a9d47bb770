import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The redis-server started by Jest's global setup. */
export function redisConnection(): { host: string; port: number } {
  const port = Number(process.env.MESSAGIO_TEST_REDIS_PORT);
  if (!port) throw new Error('MESSAGIO_TEST_REDIS_PORT is not set: run the tests with `npm test` (Jest global setup starts redis-server).');
  return { host: '127.0.0.1', port };
}

/** A queue name no other test uses, so tests never see each other's jobs. */
export function uniqueQueue(label = 'q'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** A plain ioredis client on the test server (close it in afterAll/finally). */
export function redisClient(): Redis {
  return new Redis({ ...redisConnection(), maxRetriesPerRequest: null });
}

/** Polls `check` until it returns true, or fails after `timeout` ms. */
export async function eventually(check: () => boolean | Promise<boolean>, timeout = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
