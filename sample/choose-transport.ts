import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { MessagioModuleOptions } from '../lib/index.js';
import { hasRedisServer, startRedisServer } from '../lib/testing/index.js';

/** Where the sample's messages go, and how to clean up afterwards. */
export interface SampleTransport {
  options: MessagioModuleOptions;
  /** One line for the console. */
  description: string;
  /** Called after the app is closed. */
  cleanup(): Promise<void>;
}

/**
 * 1. `REDIS_URL` set: that Redis, on a queue of this run's own (removed at the end).
 * 2. Else a private `redis-server` (from PATH, or `MESSAGIO_SAMPLE_REDIS_BIN`)
 *    on a free port, stopped at the end.
 * 3. Else the in-memory transport.
 */
export async function chooseTransport(env: NodeJS.ProcessEnv = process.env): Promise<SampleTransport> {
  const queueName = `messagio-sample-${randomUUID().slice(0, 8)}`;

  const url = env.REDIS_URL?.trim();
  if (url) {
    await assertReachable(url);
    return {
      options: { connection: url, queueName },
      description: `Transport: bullmq on REDIS_URL ${redact(url)}, queue "${queueName}" (removed at the end).`,
      cleanup: () => removeQueue(url, queueName),
    };
  }

  const binary = env.MESSAGIO_SAMPLE_REDIS_BIN?.trim() || 'redis-server';
  if (hasRedisServer(binary)) {
    const server = await startRedisServer({ binary });
    return {
      options: { connection: { host: server.host, port: server.port }, queueName },
      description: `Transport: bullmq on a private ${binary} at ${server.host}:${server.port} (stopped at the end).`,
      cleanup: () => server.stop(),
    };
  }

  return {
    options: { transport: 'memory' },
    description: `Transport: memory (no "${binary}" found; set REDIS_URL or install redis-server to run over BullMQ).`,
    cleanup: async () => {},
  };
}

/** Fails fast with a clear message, instead of BullMQ reconnecting forever at boot. */
async function assertReachable(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: Error | undefined; // the socket error says more than "Connection is closed"
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = (cause ?? (error as Error)).message;
    throw new Error(`cannot reach Redis at REDIS_URL=${redact(url)}: ${reason}`, { cause: error });
  } finally {
    client.disconnect();
  }
}

/** Deletes every key of the run's queue, so a shared Redis is left as it was. */
async function removeQueue(url: string, queueName: string): Promise<void> {
  const queue = new Queue(queueName, { connection: { url } });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

/** Hides a password in a redis:// URL. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
