// A worker process of the fault-injection suite. Env: REDIS_PORT (or
// POSTGRES_URL: BullMQ's PostgreSQL backend), QUEUE, LOG_FILE, CONCURRENCY, and
// optional REDIS_PASSWORD, SHUTDOWN_TIMEOUT. Prints "ready" once consuming.
// SIGTERM closes the app gracefully and the process then exits 0 by itself.
import { createWorkApp } from './work.mjs';

const app = await createWorkApp({
  ...(process.env.POSTGRES_URL
    ? { backend: { postgres: { connectionString: process.env.POSTGRES_URL, migrate: true, max: 4 } } }
    : { connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT), password: process.env.REDIS_PASSWORD || undefined } }),
  queueName: process.env.QUEUE,
  worker: { concurrency: Number(process.env.CONCURRENCY ?? 4) },
  shutdownTimeout: Number(process.env.SHUTDOWN_TIMEOUT ?? 30000),
  removeOnComplete: false,
});
app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true });
process.stdout.write('ready\n');
