import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsString } from 'class-validator';
import pg from 'pg';
import { Injectable } from '@nestjs/common';
import { Messagio, MessagioAdmin, MessagioPublisher, MessagioType, OnMessagio } from '../../../lib/index.js';
import { MessagioOutboxModule } from '../../../lib/outbox/index.js';
import { startPostgresServer, type PostgresServerHandle } from '../../../lib/testing/index.js';
import { eventually, redisConnection, uniqueQueue } from '../../support/redis.js';
import { createApp } from '../fixtures/app.js';
import { uniqueTable } from './fixtures.js';

// Point 5 of issue 13, the crash it is for: a worker SIGKILLed after its inbox
// transaction committed and before BullMQ's ack. The job is recovered as
// stalled by another worker process, which finds the inbox row and completes it
// without running the listener: its effect is in the database once.

const here = fileURLToPath(new URL('.', import.meta.url));

@MessagioType('inbox.charge')
class Charge extends Messagio {
  @IsString() order!: string;
  constructor(order: string) {
    super();
    this.order = order;
  }
}

/** The publisher's side of the workers' listener: a fire makes one delivery per listener this app knows. */
@Injectable()
class Billing {
  @OnMessagio(Charge, { id: 'billing', inbox: true }) charge() {
    throw new Error('the publisher (worker: false) never runs it');
  }
}

let postgres: PostgresServerHandle;
let pool: pg.Pool;

beforeAll(async () => {
  postgres = await startPostgresServer();
  pool = new pg.Pool({ connectionString: postgres.url, max: 4 });
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await postgres?.stop();
});

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(here, 'inbox-app/inbox-worker.mjs')], { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const ready = async () => {
    await eventually(() => out.includes('ready') || child.exitCode !== null || child.signalCode !== null, 20_000, 'the worker to start');
    if (!out.includes('ready')) throw new Error(`the worker did not start:\n${out}`);
  };
  return { child, exited, output: () => out, ready };
}

/** `promise`, or a failure after `ms` naming what did not happen (nothing here may hang the suite). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

it('a worker SIGKILLed after its inbox transaction committed, before the ack: the stalled job is completed by another worker without running the listener again', async () => {
  const table = uniqueTable();
  const effects = `effects_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  await pool.query(`CREATE TABLE ${effects} (order_id text NOT NULL)`);
  const queue = uniqueQueue('inbox-kill');
  const log = join(tmpdir(), `inbox-kill-${randomUUID()}.log`);
  const env = { REDIS_PORT: String(redisConnection().port), QUEUE: queue, POSTGRES_URL: postgres.url, TABLE: table, EFFECTS: effects, LOG_FILE: log };
  const victim = startWorker({ ...env, KILL_AFTER_COMMIT: '1' });
  let rescuer: ReturnType<typeof startWorker> | undefined;
  const publisher = await createApp({
    queueName: queue,
    worker: false,
    removeOnComplete: false,
    providers: [Billing],
    imports: [MessagioOutboxModule.forRoot({ pool, table, relay: false })],
  });
  try {
    await victim.ready();
    const receipt = await publisher.get(MessagioPublisher).fire(new Charge('o-1'));
    const deliveryId = `${receipt.messageId}|billing`;
    expect(await within(victim.exited, 20_000, `the worker to kill itself after the commit:\n${victim.output()}`)).toBe('SIGKILL');
    // It committed (the effect and the inbox row are there), and was never acked.
    expect(Number((await pool.query(`SELECT count(*) FROM ${effects}`)).rows[0].count)).toBe(1);
    expect(Number((await pool.query(`SELECT count(*) FROM ${table}_inbox WHERE delivery_id = $1`, [deliveryId])).rows[0].count)).toBe(1);
    const admin = publisher.get(MessagioAdmin);
    expect((await admin.status(receipt.messageId)).map((s) => s.status)).toEqual(['running']);

    rescuer = startWorker({ ...env, KILL_AFTER_COMMIT: '0' });
    await rescuer.ready();
    const outcome = await receipt.wait({ timeout: 20_000 });
    expect(outcome.deliveries.map((d) => [d.listener, d.status])).toEqual([['billing', 'completed']]);
    // Run once, by the killed worker only; the effect is in the database once.
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('ran ')).map((l) => l.split(' ')[1])).toEqual([deliveryId]);
    expect(lines.filter((l) => l.startsWith('killed ')).length).toBe(1);
    expect(Number((await pool.query(`SELECT count(*) FROM ${effects}`)).rows[0].count)).toBe(1);
  } finally {
    victim.child.kill('SIGKILL');
    rescuer?.child.kill('SIGKILL');
    await within(Promise.all([victim.exited, rescuer?.exited]), 10_000, 'the workers to exit').catch(() => undefined);
    await publisher.close();
    rmSync(log, { force: true });
  }
}, 60_000);
