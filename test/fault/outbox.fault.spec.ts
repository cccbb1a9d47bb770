import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import pg from 'pg';
import { findPostgresBinDir, startPostgresServer, type PostgresServerHandle } from '../../lib/testing/postgres-server.js';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { eventually, uniqueQueue } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { createOutboxApp, OrderPlaced } from './support/outbox-app.mjs';
import { report, scratch } from './support/processes.js';

// Point 6 of issue 13: 2,000 transactional fires (a fifth rolled back) while
// worker-and-relay processes are SIGKILLed at random, redis-server is stopped
// for 5 s and PostgreSQL is restarted once. Every committed message is
// delivered, nothing rolled back is, none is lost, BullMQ holds one job per
// delivery, and with the inbox each effect is in the database once.

const here = fileURLToPath(new URL('.', import.meta.url));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  exited: Promise<unknown>;
  /** Set before this test kills it: any other exit is a crash. */
  killed?: boolean;
}

/** Exits of worker processes this test did not cause (an unhandled error, a crash), with their output. */
const crashes: string[] = [];

async function startProcess(env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, [join(here, 'support/outbox-worker-process.mjs')], {
    env: { ...process.env, NODE_OPTIONS: '', QUIET: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const proc: Proc = { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
  child.once('exit', (code, signal) => {
    if (!proc.killed) crashes.push(`exit ${signal ?? code}:\n${out.slice(-2000)}`);
  });
  const deadline = Date.now() + 20_000;
  while (!out.includes('ready')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start:\n${out.slice(-3000)}`);
    }
    await sleep(20);
  }
  return proc;
}

/** `pg_ctl restart` of the test's server (its data directory, as the postgres user when root). */
async function restartPostgres(pool: pg.Pool): Promise<void> {
  const data = (await pool.query('SHOW data_directory')).rows[0].data_directory as string;
  const pgCtl = join(findPostgresBinDir()!, 'pg_ctl');
  const args = ['-D', data, '-m', 'fast', '-w', '-t', '30', 'restart'];
  if (userInfo().uid === 0) await run('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { timeout: 40_000 });
  else await run(pgCtl, args, { timeout: 40_000 });
}

describe('fault injection: the transactional outbox and the inbox', () => {
  let postgres: PostgresServerHandle | undefined;
  let redis: RedisServerHandle | undefined;
  afterAll(async () => {
    await postgres?.stop();
    redis?.process.kill('SIGKILL');
  });

  it('2,000 transactional fires (a fifth rolled back), processes SIGKILLed, Redis stopped 5 s, PostgreSQL restarted: committed = delivered, 0 rolled back delivered, 0 lost, 0 duplicates', async () => {
    await builtPackage();
    const aof = mkdtempSync(join(tmpdir(), 'messagio-aof-'));
    const redisArgs = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', aof];
    [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer({ args: redisArgs })]);
    const port = redis.port;
    const pool = new pg.Pool({ connectionString: postgres.url, max: 12, connectionTimeoutMillis: 2000 });
    // The restart ends every connection: idle ones report to the pool, checked-out ones to their client.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const table = 'fault_outbox';
    const effects = 'fault_effects';
    await pool.query(`CREATE TABLE orders (id text PRIMARY KEY); CREATE TABLE ${effects} (order_id text NOT NULL)`);
    const logs = scratch();
    const queueName = uniqueQueue('outbox-fault');
    const env = { REDIS_PORT: String(port), QUEUE: queueName, POSTGRES_URL: postgres.url, TABLE: table, EFFECTS: effects, LOG_FILE: logs.file('runs.log') };
    const procs: Proc[] = [await startProcess(env)]; // the first one migrates
    procs.push(...(await Promise.all([startProcess(env), startProcess(env)])));
    const publisher: INestApplicationContext = await createOutboxApp(
      { connection: { host: '127.0.0.1', port }, queueName, worker: false, removeOnComplete: false },
      { pool, table, relay: false, migrate: false },
    );
    const lib = await builtPackage();
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port } });
    queue.on('error', () => undefined);
    const total = 2000;
    const rolledBack = new Set<string>();
    let kills = 0;
    let fireErrors = 0;
    let chaos = true;
    try {
      /** One order: inserted and fired in one transaction, committed or (every fifth) rolled back; tried again while PostgreSQL is away. */
      const place = async (n: number) => {
        const id = `order-${n}`;
        const rollback = n % 5 === 0;
        for (let tries = 0; ; tries++) {
          let client: pg.PoolClient | undefined;
          try {
            client = await pool.connect();
            await client.query('BEGIN');
            await client.query('INSERT INTO orders (id) VALUES ($1)', [id]);
            await publisher.get(lib.MessagioPublisher).fire(new OrderPlaced(id), { transaction: client });
            await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
            if (rollback) rolledBack.add(id);
            client.release();
            return;
          } catch (error) {
            fireErrors++;
            client?.release(error as Error);
            // A COMMIT whose answer was lost may have committed: the orders table says.
            const committed = await pool.query('SELECT 1 FROM orders WHERE id = $1', [id]).then((r) => r.rowCount === 1, () => false);
            if (committed) return;
            if (tries > 200) throw error;
            await sleep(100);
          }
        }
      };
      const firing = (async () => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < total) {
              const n = next++;
              await place(n);
              // About 20 s of firing: the outage and the restart below land in the middle of it.
              await sleep(40 + Math.random() * 60);
            }
          }),
        );
      })();
      const killer = (async () => {
        while (chaos) {
          await sleep(600 + Math.random() * 900);
          if (!chaos) break;
          const victim = procs.splice(Math.floor(Math.random() * procs.length), 1)[0]!;
          victim.killed = true;
          victim.child.kill('SIGKILL');
          await victim.exited;
          kills++;
          procs.push(await startProcess(env));
        }
      })();
      // Redis stopped for 5 s (SIGKILL: nothing flushed but the AOF), then PostgreSQL restarted.
      await sleep(3000);
      redis.process.kill('SIGKILL');
      await new Promise((r) => redis!.process.once('exit', r));
      await sleep(5000);
      redis = await startRedisServer({ port, args: redisArgs });
      await sleep(3000);
      await restartPostgres(pool);
      await firing;
      await eventually(() => kills >= 5, 30_000, 'five kills');
      chaos = false;
      await killer;

      const committed = new Set((await pool.query('SELECT id FROM orders')).rows.map((r: { id: string }) => r.id));
      await eventually(
        async () => Number((await pool.query(`SELECT count(DISTINCT order_id) AS n FROM ${effects}`)).rows[0].n) >= committed.size,
        90_000,
        'every committed order to be delivered',
      );
      await eventually(async () => (await queue.getJobCounts('completed')).completed >= committed.size, 30_000, 'every job to complete');
      await sleep(1000); // anything late (a duplicate) would show now
      const rows = (await pool.query(`SELECT order_id, count(*)::int AS n FROM ${effects} GROUP BY order_id`)).rows as Array<{ order_id: string; n: number }>;
      const delivered = rows.filter((r) => committed.has(r.order_id)).length;
      const rolledBackDelivered = rows.filter((r) => rolledBack.has(r.order_id)).length;
      const duplicates = rows.reduce((sum, r) => sum + r.n - 1, 0);
      const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized'], 0, -1);
      const jobOrders = jobs.map((j) => (j.data as { payload: { order: string } }).payload.order);
      const duplicateJobs = jobOrders.length - new Set(jobOrders).size;
      const runs = readFileSync(logs.file('runs.log'), 'utf8').split('\n').filter((l) => l.startsWith('run ')).length;
      const outboxLeft = Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      report('outbox: SIGKILLs, Redis stopped 5 s, PostgreSQL restarted', {
        sent: total,
        committed: committed.size,
        'rolled-back': rolledBack.size,
        delivered,
        duplicates,
        'duplicate-jobs': duplicateJobs,
        'rolled-back-delivered': rolledBackDelivered,
        lost: committed.size - delivered,
        'listener-runs': runs,
        'fire-retries': fireErrors,
        kills,
        crashes: crashes.length,
      });
      // No process died but those killed here (PostgreSQL's restart and Redis's outage are survived).
      expect(crashes).toEqual([]);
      expect(committed.size + rolledBack.size).toBe(total);
      expect(rolledBack.size).toBe(total / 5);
      expect(delivered).toBe(committed.size);
      expect(rolledBackDelivered).toBe(0);
      expect(duplicates).toBe(0);
      expect(duplicateJobs).toBe(0);
      expect(jobs.length).toBe(committed.size);
      expect(jobs.every((j) => committed.has((j.data as { payload: { order: string } }).payload.order))).toBe(true);
      expect(outboxLeft).toBe(0);
    } finally {
      chaos = false;
      for (const p of procs) {
        p.killed = true;
        p.child.kill('SIGKILL');
      }
      await Promise.race([Promise.all(procs.map((p) => p.exited)), sleep(10_000)]);
      await publisher.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      logs.remove();
      rmSync(aof, { recursive: true, force: true });
    }
  }, 170_000);
});
