// A worker and relay process of the outbox fault-injection test. Env:
// REDIS_PORT, QUEUE, POSTGRES_URL, TABLE, EFFECTS, LOG_FILE. Prints "ready" once
// consuming. Connection errors of a restarted PostgreSQL are expected here:
// the pool's idle clients report them, and the relay and the listener retry.
import pg from 'pg';
import { createOutboxApp } from './outbox-app.mjs';

const pool = new pg.Pool({ connectionString: process.env.POSTGRES_URL, max: 8, connectionTimeoutMillis: 2000 });
pool.on('error', () => undefined);
await createOutboxApp(
  {
    connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) },
    queueName: process.env.QUEUE,
    removeOnComplete: false,
    worker: { concurrency: 4, lockDuration: 1000, stalledInterval: 500, maxStalledCount: 100 },
  },
  { pool, table: process.env.TABLE, relay: { batchSize: 50, pollMs: 200, leaseMs: 2000, backoffMs: 100, maxBackoffMs: 1000, maxAttempts: 1000 } },
);
process.stdout.write('ready\n');
