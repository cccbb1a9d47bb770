// 13. The transactional outbox (issue 13) on a private PostgreSQL (fsync off,
//     as the benchmark's Redis runs without persistence), started when this
//     scenario runs and stopped after it:
//     (a) fire(msg, { transaction }) in BEGIN … COMMIT, one message a
//         transaction, against a plain fire() and against a bare INSERT of the
//         same JSON in a transaction (producer only, the relay off);
//     (b) commit → listener start at a fixed rate, the relay woken by NOTIFY
//         only (its poll set to a minute), against fire() → listener start;
//     (c) relay throughput: rows committed with the relay off, then relayed
//         until all are in BullMQ.
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import pg from 'pg';
import { MessagioPublisher } from '../../lib/index.js';
import { MessagioOutboxModule, OutboxRelay, type OutboxRelayOptions } from '../../lib/outbox/index.js';
import { startPostgresServer, type PostgresServerHandle } from '../../lib/testing/index.js';
import { createMessagioApp, messagioModule } from '../lib/apps.js';
import type { BenchContext, RowSpec, Scenario, Trial, TrialResult } from '../lib/harness.js';
import { OrderPlacedListener, Probe } from '../lib/listeners.js';
import { OrderPlaced, orderPayload } from '../lib/messages.js';
import { percentile, perSecond } from '../lib/stats.js';
import { sleep, within } from '../lib/wait.js';

const FIRES = 2000;
const LATENCY_MESSAGES = 1000;
const RATE = 100; // messages per second in (b): one transaction each
const RELAY_ROWS = 20_000;
const FILL_BATCH = 500; // rows per transaction when filling (c)

/** The scenario's PostgreSQL: started by its first trial, stopped by `close()` once the scenario ran. */
let server: Promise<PostgresServerHandle> | undefined;
let tables = 0;

function postgres(): Promise<PostgresServerHandle> {
  server ??= startPostgresServer();
  return server;
}

/** A pool on the scenario's PostgreSQL and a table name no other trial run uses. */
async function database(tag: string): Promise<{ pool: pg.Pool; table: string }> {
  const { url } = await postgres();
  return { pool: new pg.Pool({ connectionString: url, max: 4 }), table: `bench_${tag}_${++tables}` };
}

@Module({})
class OutboxBenchModule {}

interface OutboxApp {
  publisher: MessagioPublisher;
  relay: OutboxRelay;
  close(): Promise<void>;
}

/** The benchmark's messagio app (BullMQ, validation on) with the outbox on `pool`. */
async function outboxApp(
  ctx: BenchContext,
  queueName: string,
  pool: pg.Pool,
  table: string,
  concurrency: number | false,
  relay: boolean | OutboxRelayOptions,
  probe = new Probe(),
): Promise<OutboxApp> {
  const module: DynamicModule = {
    module: OutboxBenchModule,
    imports: [
      messagioModule({ redis: ctx.redis, queueName, concurrency, validate: true, listeners: [OrderPlacedListener] }, probe),
      MessagioOutboxModule.forRoot({ pool, table, migrate: true, relay }),
    ],
  };
  const app = await NestFactory.createApplicationContext(module, { logger: ['error'], abortOnError: false });
  return { publisher: app.get(MessagioPublisher), relay: app.get(OutboxRelay), close: () => app.close() };
}

/** Runs `fn` in BEGIN … COMMIT on `client`; resolves once COMMIT returned. */
async function inTransaction(client: pg.PoolClient, fn: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  await client.query('COMMIT');
}

/** (a) One message per transaction (or per fire), awaited one at a time; messages/s. */
function throughputTrial(ctx: BenchContext, key: 'messagio outbox fire' | 'messagio fire' | 'raw insert'): Trial {
  return {
    key,
    async run() {
      const n = ctx.size(FIRES, 50);
      const warmup = Math.min(100, n);
      const queueName = ctx.queueName('outbox-fire');
      if (key === 'messagio fire') {
        const m = await createMessagioApp({ redis: ctx.redis, queueName, concurrency: false, validate: true, listeners: [OrderPlacedListener] });
        try {
          for (let i = 0; i < warmup; i++) await m.publisher.fire(new OrderPlaced(orderPayload(i)));
          const t0 = performance.now();
          for (let i = 0; i < n; i++) await m.publisher.fire(new OrderPlaced(orderPayload(warmup + i)));
          return { 'msgs/s': perSecond(n, performance.now() - t0) };
        } finally {
          await m.close();
        }
      }
      const { pool, table } = await database(key === 'raw insert' ? 'raw' : 'fire');
      const app = key === 'messagio outbox fire' ? await outboxApp(ctx, queueName, pool, table, false, false) : undefined;
      if (!app) await pool.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, payload jsonb NOT NULL)`);
      const client = await pool.connect();
      // The same payload both ways: messagio's transaction writes the message's deliveries, the bare one its JSON.
      const write = app
        ? (seq: number) => inTransaction(client, () => app.publisher.fire(new OrderPlaced(orderPayload(seq)), { transaction: client }))
        : (seq: number) => inTransaction(client, () => client.query(`INSERT INTO ${table} (payload) VALUES ($1)`, [JSON.stringify(orderPayload(seq))]));
      try {
        for (let i = 0; i < warmup; i++) await write(i);
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await write(warmup + i);
        return { 'msgs/s': perSecond(n, performance.now() - t0) };
      } finally {
        client.release();
        await app?.close();
        await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_migrations`);
        await pool.end();
      }
    },
  };
}

/**
 * (b) At RATE messages/s, one awaited transaction each: the time from COMMIT
 * returning to the listener's start (the relay wakes on NOTIFY; its poll is a
 * minute away). Baseline: fire() returning → listener start, same rate.
 */
function latencyTrial(ctx: BenchContext, key: 'messagio outbox latency' | 'messagio fire latency'): Trial {
  return {
    key,
    async run() {
      const n = ctx.size(LATENCY_MESSAGES, 100);
      const warmup = Math.min(50, n);
      const queueName = ctx.queueName('outbox-latency');
      const sentAt: number[] = [];
      const startedAt: number[] = [];
      const probe = new Probe();
      probe.onStart = (p) => (startedAt[p.seq] = performance.now());
      let send: (seq: number) => Promise<void>;
      let cleanup: () => Promise<void>;
      if (key === 'messagio outbox latency') {
        const { pool, table } = await database('latency');
        const app = await outboxApp(ctx, queueName, pool, table, 1, { pollMs: 60_000 }, probe);
        const client = await pool.connect();
        send = async (seq) => {
          await inTransaction(client, () => app.publisher.fire(new OrderPlaced(orderPayload(seq)), { transaction: client }));
          sentAt[seq] = performance.now();
        };
        cleanup = async () => {
          client.release();
          await app.close();
          await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_migrations`);
          await pool.end();
        };
      } else {
        const m = await createMessagioApp({ redis: ctx.redis, queueName, concurrency: 1, validate: true, listeners: [OrderPlacedListener], probe });
        send = async (seq) => {
          await m.publisher.fire(new OrderPlaced(orderPayload(seq)));
          sentAt[seq] = performance.now();
        };
        cleanup = () => m.close();
      }
      try {
        await paced(0, warmup, send, startedAt);
        await paced(warmup, warmup + n, send, startedAt);
        const latencies: number[] = [];
        for (let seq = warmup; seq < warmup + n; seq++) latencies.push(startedAt[seq]! - sentAt[seq]!);
        return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } satisfies TrialResult;
      } finally {
        await cleanup();
      }
    },
  };
}

/** Sends `from`…`to − 1` at RATE (each awaited), then waits until every listener started. */
async function paced(from: number, to: number, send: (seq: number) => Promise<void>, startedAt: number[]): Promise<void> {
  const t0 = performance.now();
  for (let seq = from; seq < to; seq++) {
    const wait = t0 + ((seq - from) * 1000) / RATE - performance.now();
    if (wait >= 1) await sleep(wait);
    await send(seq);
  }
  const all = async () => {
    for (let seq = from; seq < to; seq++) while (startedAt[seq] === undefined) await sleep(5);
  };
  await within(all(), 120_000, `waiting for listeners ${from}–${to - 1}`);
}

/**
 * (c) RELAY_ROWS rows committed with the relay off (fireMany, FILL_BATCH a
 * transaction), then the relay's loop (`drain()`: batches of `batchSize`,
 * back to back, as the running relay does while rows wait): rows/s until every
 * row is in BullMQ, checked by counting the queue's jobs. The default batch
 * (100), and 500 to show what the setting buys.
 */
function relayTrial(ctx: BenchContext, batchSize: number): Trial {
  return {
    key: `messagio relay batch ${batchSize}`,
    async run() {
      const n = ctx.size(RELAY_ROWS, 1000);
      const queueName = ctx.queueName('outbox-relay');
      const { pool, table } = await database('relay');
      const app = await outboxApp(ctx, queueName, pool, table, false, { enabled: false, batchSize });
      const queue = new Queue(queueName, { connection: { host: ctx.redis.host, port: ctx.redis.port } });
      try {
        const client = await pool.connect();
        try {
          for (let start = 0; start < n; start += FILL_BATCH) {
            const batch = Array.from({ length: Math.min(FILL_BATCH, n - start) }, (_, i) => new OrderPlaced(orderPayload(start + i)));
            await inTransaction(client, () => app.publisher.fireMany(batch, { transaction: client }));
          }
        } finally {
          client.release();
        }
        const t0 = performance.now();
        const relayed = await app.relay.drain();
        const elapsed = performance.now() - t0;
        const jobs = await queue.count();
        if (relayed !== n || jobs !== n) throw new Error(`relayed ${relayed} rows and BullMQ holds ${jobs} jobs, expected ${n} of each`);
        return { 'rows/s': perSecond(n, elapsed) };
      } finally {
        await queue.close();
        await app.close();
        await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_migrations`);
        await pool.end();
      }
    },
  };
}

export const outboxScenario: Scenario = {
  id: '13',
  title: 'Transactional outbox on PostgreSQL',
  trials: (ctx) => [
    throughputTrial(ctx, 'messagio outbox fire'),
    throughputTrial(ctx, 'messagio fire'),
    throughputTrial(ctx, 'raw insert'),
    latencyTrial(ctx, 'messagio outbox latency'),
    latencyTrial(ctx, 'messagio fire latency'),
    relayTrial(ctx, 100),
    relayTrial(ctx, 500),
  ],
  rows: (ctx): RowSpec[] => {
    const fires = ctx.size(FIRES, 50).toLocaleString('en-US');
    const latency = `${ctx.size(LATENCY_MESSAGES, 100).toLocaleString('en-US')} messages at ${RATE}/s, 1 listener, concurrency 1; baseline: fire() → listener start`;
    return [
      {
        case: `fire(msg, { transaction }) in BEGIN … COMMIT, 1 a transaction (${fires}); baseline: fire() with no transaction`,
        metric: 'throughput',
        unit: 'msgs/s',
        higherIsBetter: true,
        subject: { trial: 'messagio outbox fire', metric: 'msgs/s', label: 'outbox' },
        baseline: { trial: 'messagio fire', metric: 'msgs/s', label: 'fire()' },
      },
      {
        case: `the same; baseline: BEGIN; INSERT INTO t (payload) VALUES ($1); COMMIT of the same JSON`,
        metric: 'throughput',
        unit: 'msgs/s',
        higherIsBetter: true,
        subject: { trial: 'messagio outbox fire', metric: 'msgs/s', label: 'outbox' },
        baseline: { trial: 'raw insert', metric: 'msgs/s', label: 'INSERT' },
      },
      ...(['p50', 'p99'] as const).map(
        (p): RowSpec => ({
          case: `COMMIT → listener start, relay woken by NOTIFY, ${latency}`,
          metric: p,
          unit: 'ms',
          higherIsBetter: false,
          subject: { trial: 'messagio outbox latency', metric: p, label: 'outbox' },
          baseline: { trial: 'messagio fire latency', metric: p, label: 'fire()' },
          target: { kind: 'at-most', value: p === 'p50' ? 5 : 50, unit: 'ms' },
        }),
      ),
      {
        case: `relay: ${ctx.size(RELAY_ROWS, 1000).toLocaleString('en-US')} committed rows into BullMQ, batches of 100 (the default)`,
        metric: 'throughput',
        unit: 'rows/s',
        higherIsBetter: true,
        subject: { trial: 'messagio relay batch 100', metric: 'rows/s', label: 'relay' },
        target: { kind: 'at-least', value: 5000, unit: 'rows/s' },
      },
      {
        case: `the same, batchSize 500; baseline: batches of 100`,
        metric: 'throughput',
        unit: 'rows/s',
        higherIsBetter: true,
        subject: { trial: 'messagio relay batch 500', metric: 'rows/s', label: 'batch 500' },
        baseline: { trial: 'messagio relay batch 100', metric: 'rows/s', label: 'batch 100' },
      },
    ];
  },
  async close() {
    const running = server;
    server = undefined;
    await (await running)?.stop();
  },
};
