import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import { MessagioPublisher, MessagioUnavailableError } from '../../../lib/index.js';
import { OutboxRelay, PostgresOutboxStore, fromPg, outboxSqlNames } from '../../../lib/outbox/index.js';
import { startRedisServer, type RedisServerHandle } from '../../../lib/testing/index.js';
import { eventually } from '../../support/redis.js';
import { Recorder } from '../fixtures/recorder.js';
import { inTransaction, OrderPlaced, outboxApp, sleep, uniqueTable, usePostgres } from './fixtures.js';

// The outbox when parts fail (issue 13, point 3): Redis down while the app
// takes orders, and a relay process killed in the middle of a batch.

const postgres = usePostgres(10);

async function count(table: string, where = 'true'): Promise<number> {
  return Number((await postgres.pool.query(`SELECT count(*) FROM ${table} WHERE ${where}`)).rows[0].count);
}

it('while Redis is down, transactional fires still succeed (a direct fire is refused); the relay catches up when it returns', async () => {
  let redis: RedisServerHandle = await startRedisServer();
  const port = redis.port;
  const table = uniqueTable();
  const nest: TestingModule = await outboxApp(
    postgres.pool,
    { table, relay: { pollMs: 100, backoffMs: 50, maxBackoffMs: 200 } },
    { connection: { host: '127.0.0.1', port } },
  );
  try {
    const publisher = nest.get(MessagioPublisher);
    await redis.stop();
    await eventually(
      () => publisher.fire(new OrderPlaced('direct')).then(() => false, (e: unknown) => e instanceof MessagioUnavailableError),
      10_000,
      'a direct fire to be refused',
    );
    for (let i = 0; i < 3; i++) {
      await inTransaction(postgres.pool, (client) => publisher.fire(new OrderPlaced(`down-${i}`), { transaction: client }));
    }
    await sleep(600); // the relay tried, and backs off
    expect(await count(table)).toBe(3);
    const recorder = nest.get(Recorder);
    // (A direct fire sent before the connection knew Redis was gone may sit in ioredis's offline queue: not ours.)
    const relayed = () => recorder.of('billing').map((c) => (c.message as OrderPlaced).orderId).filter((id) => id.startsWith('down-'));
    expect(relayed()).toEqual([]);
    redis = await startRedisServer({ port });
    await eventually(() => relayed().length === 3, 30_000, 'the relay to catch up');
    expect(relayed()).toEqual(['down-0', 'down-1', 'down-2']);
    await eventually(async () => (await count(table)) === 0, 5000, 'rows deleted');
  } finally {
    await nest.close();
    await redis.stop();
  }
}, 60_000);

it('a relay killed mid-batch (after claiming, before publishing) leaves its rows to another once its lease runs out', async () => {
  const table = uniqueTable();
  const nest = await outboxApp(postgres.pool, { table, relay: false });
  try {
    const publisher = nest.get(MessagioPublisher);
    await inTransaction(postgres.pool, async (client) => {
      for (let i = 0; i < 5; i++) await publisher.fire(new OrderPlaced(`k-${i}`), { transaction: client });
    });
    // The doomed relay: a real OutboxRelay from the built package, in its own process, whose transport never answers.
    const dir = resolve('.tmp/outbox-kill');
    mkdirSync(dir, { recursive: true });
    const script = resolve(dir, `relay-${table}.mjs`);
    writeFileSync(
      script,
      `import pg from 'pg';
import { OutboxRelay, PostgresOutboxStore, fromPg, outboxSqlNames } from ${JSON.stringify(resolve('dist/outbox/index.js'))};
const pool = new pg.Pool({ connectionString: process.env.URL });
const store = new PostgresOutboxStore(pool, { names: outboxSqlNames('public', process.env.TABLE), client: fromPg, channel: process.env.TABLE, retentionMs: 0 });
const stuck = { name: 'stuck', enqueue: () => new Promise(() => {}), start: async () => {}, close: async () => {} };
const relay = new OutboxRelay(store, stuck, { batchSize: 100, pollMs: 1000, maxAttempts: 5, backoffMs: 10, maxBackoffMs: 100, retentionMs: 0, owner: 'doomed', leaseMs: Number(process.env.LEASE) });
relay.runOnce();
`,
    );
    const leaseMs = 4000;
    const env: NodeJS.ProcessEnv = { ...process.env, URL: postgres.url, TABLE: table, LEASE: String(leaseMs) };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [script], { env, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    await eventually(async () => (await count(table, "lease_owner = 'doomed'")) === 5, 15_000, 'the doomed relay to claim every row');
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    const relay = nest.get(OutboxRelay);
    expect(await relay.runOnce()).toBe(0); // leased by the dead relay: not taken yet
    let relayed = 0;
    await eventually(async () => (relayed += await relay.runOnce()) === 5, 10_000, 'the rows to be taken after the lease');
    // Taken once the lease ran out (bounded by it, plus the polls of this loop).
    expect(Date.now() - killedAt).toBeLessThan(leaseMs + 5000);
    const recorder = nest.get(Recorder);
    await recorder.waitFor(10, 15_000);
    // Every row taken over is delivered once to each listener, in fire order (the rows share one lease).
    for (const listener of ['billing', 'shipping']) {
      expect([listener, recorder.of(listener).map((c) => (c.message as OrderPlaced).orderId)]).toEqual([listener, ['k-0', 'k-1', 'k-2', 'k-3', 'k-4']]);
    }
  } finally {
    await nest.close();
  }
}, 60_000);

it('a claim leases its rows until one instant: rows taken over after the lease are taken together, in fire order', async () => {
  // The cause of a take-over once relaying k-0, k-2, k-4 before k-1, k-3: each row had its own
  // lease_until (a per-row clock), so a claim at the boundary took only the rows already expired.
  const table = uniqueTable();
  const nest = await outboxApp(postgres.pool, { table, relay: false });
  try {
    const publisher = nest.get(MessagioPublisher);
    const ids = Array.from({ length: 2000 }, (_, i) => `t-${i}`);
    await inTransaction(postgres.pool, (client) => publisher.fireMany(ids.map((id) => new OrderPlaced(id)), { transaction: client }));
    const store = new PostgresOutboxStore(postgres.pool, { names: outboxSqlNames('public', table), client: fromPg, channel: table, retentionMs: 0 });
    const first = await store.claim('first', 5000, 50);
    expect(first).toHaveLength(2000);
    const leases = await postgres.pool.query(`SELECT count(DISTINCT lease_until)::int AS n FROM ${table} WHERE lease_owner = 'first'`);
    expect(leases.rows[0].n).toBe(1);
    await sleep(100);
    const second = await store.claim('second', 5000, 60_000);
    expect(second.map((r) => r.messageId)).toEqual(first.map((r) => r.messageId));
    expect(second.map((r) => Number(r.id))).toEqual([...second.map((r) => Number(r.id))].sort((a, b) => a - b));
  } finally {
    await nest.close();
  }
}, 60_000);

it('a relay whose LISTEN connection is killed listens again: the next commit still wakes it (no poll in sight)', async () => {
  const table = uniqueTable();
  const nest = await outboxApp(postgres.pool, { table, relay: { pollMs: 600_000 } });
  try {
    const publisher = nest.get(MessagioPublisher);
    const recorder = nest.get(Recorder);
    const listeners = async () =>
      (await postgres.pool.query(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${table}"`])).rows.map((r: { pid: number }) => r.pid);
    await eventually(async () => (await listeners()).length === 1, 10_000, 'the relay to LISTEN');
    const [first] = await listeners();
    await postgres.pool.query('SELECT pg_terminate_backend($1)', [first]);
    await eventually(async () => {
      const now = await listeners();
      return now.length === 1 && now[0] !== first;
    }, 10_000, 'a new LISTEN connection');
    await inTransaction(postgres.pool, (client) => publisher.fire(new OrderPlaced('after-relisten'), { transaction: client }));
    await eventually(() => recorder.calls.length === 2, 10_000, 'the commit to wake the relay');
  } finally {
    await nest.close();
  }
}, 30_000);
