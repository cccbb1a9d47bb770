import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import pg from 'pg';
import { Messagio, MessagioConfigurationError, MessagioPublisher, MessagioType, OnMessagio, type MessagioContext } from '../../../lib/index.js';
import { MessagioInbox, MessagioOutboxModule, OUTBOX_SCHEMA_VERSION } from '../../../lib/outbox/index.js';
import { queueOf, settled } from '../../support/jobs.js';
import { eventually } from '../../support/redis.js';
import { createApp } from '../fixtures/app.js';
import { OrderPlaced, sleep, uniqueTable, usePostgres } from './fixtures.js';

// Point 5 of issue 13 on a real PostgreSQL and the test redis-server: a
// listener with `inbox: true` runs in one transaction with its inbox row; a
// redelivery of a delivery that committed completes without running it again.

const postgres = usePostgres(20);
const apps: TestingModule[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** What the listener does, per test: the table it writes its effect to, and whether an attempt throws after writing. */
const behaviour = { effects: '', failAttempts: 0, calls: 0 };

@Injectable()
class Billing {
  @OnMessagio(OrderPlaced, { id: 'billing', inbox: true, maxRetries: 2, retryDelay: 20 })
  async bill(msg: OrderPlaced, ctx: MessagioContext): Promise<void> {
    behaviour.calls++;
    // The listener's own write, through the inbox's transaction.
    await (ctx.transaction as pg.PoolClient).query(`INSERT INTO ${behaviour.effects} (order_id, attempt) VALUES ($1, $2)`, [msg.orderId, ctx.attempt]);
    if (ctx.attempt <= behaviour.failAttempts) throw new Error(`attempt ${ctx.attempt} fails after its write`);
  }
}

async function inboxApp(table: string, extra: { inbox?: { retentionMs?: number; sweepMs?: number } } = {}): Promise<TestingModule> {
  const app = await createApp({ providers: [Billing], removeOnComplete: false, imports: [MessagioOutboxModule.forRoot({ pool: postgres.pool, table, ...extra })] });
  apps.push(app);
  return app;
}

async function freshEffects(): Promise<string> {
  behaviour.effects = `effects_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  behaviour.failAttempts = 0;
  behaviour.calls = 0;
  await postgres.pool.query(`CREATE TABLE ${behaviour.effects} (order_id text NOT NULL, attempt int NOT NULL)`);
  return behaviour.effects;
}

@MessagioType('inbox.order-cancelled')
class OrderCancelled extends Messagio {}

const count = async (sql: string, params: unknown[] = []) => Number((await postgres.pool.query(sql, params)).rows[0].count);

describe('inbox: true on PostgreSQL (BullMQ)', () => {
  it('a redelivery of a delivery whose transaction committed (the same job data stored again) completes without running the listener again', async () => {
    const table = uniqueTable();
    const effects = await freshEffects();
    const nest = await inboxApp(table);
    const receipt = await nest.get(MessagioPublisher).fire(new OrderPlaced('o-1'));
    expect((await receipt.wait({ timeout: 15_000 })).ok).toBe(true);
    const deliveryId = `${receipt.messageId}|billing`;
    expect(await count(`SELECT count(*) FROM ${table}_inbox WHERE delivery_id = $1 AND listener = 'billing'`, [deliveryId])).toBe(1);

    // The job as BullMQ would redeliver it: the same data, run again by a worker.
    const queue = queueOf(nest);
    const original = (await queue.getJob(deliveryId))!;
    const again = await queue.add(original.name, original.data, { jobId: `again-${randomUUID()}` });
    const redelivered = await settled(queue, again.id!);
    expect(await redelivered.getState()).toBe('completed');
    expect(behaviour.calls).toBe(1);
    expect(await count(`SELECT count(*) FROM ${effects}`)).toBe(1);
  });

  it('a listener that throws rolls back its writes with its inbox row; the retry runs it again and commits once', async () => {
    const table = uniqueTable();
    const effects = await freshEffects();
    behaviour.failAttempts = 1;
    const nest = await inboxApp(table);
    const receipt = await nest.get(MessagioPublisher).fire(new OrderPlaced('o-2'));
    const outcome = await receipt.wait({ timeout: 15_000 });
    expect(outcome.ok).toBe(true);
    expect(outcome.deliveries.map((d) => [d.listener, d.status, d.attempts])).toEqual([['billing', 'completed', 2]]);
    expect(behaviour.calls).toBe(2);
    // Attempt 1's write was rolled back with its inbox row; attempt 2's committed.
    expect((await postgres.pool.query(`SELECT order_id, attempt FROM ${effects}`)).rows).toEqual([{ order_id: 'o-2', attempt: 2 }]);
    expect(await count(`SELECT count(*) FROM ${table}_inbox`)).toBe(1);
  });

  it('two workers running one delivery at once: the second waits on the first transaction, then completes without running it', async () => {
    const table = uniqueTable();
    const effects = await freshEffects();
    const nest = await inboxApp(table);
    const inbox = nest.get(MessagioInbox);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    const first = inbox.run('m-1|billing', 'billing', async (tx) => {
      ran.push('first');
      await (tx as pg.PoolClient).query(`INSERT INTO ${effects} VALUES ('m-1', 1)`);
      await gate;
    });
    await eventually(() => ran.length === 1);
    const second = inbox.run('m-1|billing', 'billing', async () => ran.push('second'));
    await sleep(200);
    release();
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(ran).toEqual(['first']);
    expect(await count(`SELECT count(*) FROM ${effects}`)).toBe(1);
  });

  it('a connection terminated while the listener holds it fails the attempt (rolled back, run again by the retry), never the process', async () => {
    const table = uniqueTable();
    const effects = await freshEffects();
    const nest = await inboxApp(table);
    const inbox = nest.get(MessagioInbox);
    const attempt = inbox.run('t-1|billing', 'billing', async (tx) => {
      const client = tx as pg.PoolClient;
      const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
      await postgres.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // Idle and checked out when its connection ends: the client emits 'error'.
      await sleep(300);
      await client.query(`INSERT INTO ${effects} VALUES ('t-1', 1)`);
    });
    await expect(attempt).rejects.toThrow();
    expect(await count(`SELECT count(*) FROM ${table}_inbox`)).toBe(0);
    expect(await inbox.run('t-1|billing', 'billing', (tx) => (tx as pg.PoolClient).query(`INSERT INTO ${effects} VALUES ('t-1', 2)`))).toBe(true);
    expect((await postgres.pool.query(`SELECT order_id, attempt FROM ${effects}`)).rows).toEqual([{ order_id: 't-1', attempt: 2 }]);
  });

  it('inbox rows older than retentionMs are swept; younger ones are kept', async () => {
    const table = uniqueTable();
    await freshEffects();
    const nest = await inboxApp(table, { inbox: { retentionMs: 60_000, sweepMs: 100 } });
    await nest.get(MessagioPublisher).fire(new OrderPlaced('new')).then((r) => r.wait({ timeout: 15_000 }));
    await postgres.pool.query(`INSERT INTO ${table}_inbox (delivery_id, listener, processed_at) VALUES ('old|billing', 'billing', now() - interval '2 minutes')`);
    // The timer of this consuming process sweeps it.
    await eventually(async () => (await count(`SELECT count(*) FROM ${table}_inbox WHERE delivery_id = 'old|billing'`)) === 0, 5000, 'the sweep');
    expect(await count(`SELECT count(*) FROM ${table}_inbox`)).toBe(1);
    expect(await nest.get(MessagioInbox).sweep()).toBe(0);
  });

  it('the inbox table is the shipped migration 2', async () => {
    const table = uniqueTable();
    await inboxApp(table);
    expect(OUTBOX_SCHEMA_VERSION).toBe(2);
    expect((await postgres.pool.query(`SELECT version FROM ${table}_migrations ORDER BY version`)).rows.map((r) => r.version)).toEqual([1, 2]);
    const columns = await postgres.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [`${table}_inbox`]);
    expect(columns.rows.map((r) => r.column_name)).toEqual(['delivery_id', 'listener', 'processed_at']);
  });
});

describe('inbox: true, bad configuration', () => {
  it('without MessagioOutboxModule, bootstrap fails with a MessagioConfigurationError naming the listener', async () => {
    const failed = createApp({ providers: [Billing] });
    await expect(failed).rejects.toThrow(MessagioConfigurationError);
    await expect(createApp({ providers: [Billing] })).rejects.toThrow(/Listener "billing" has inbox: true, but this app has no inbox: import MessagioOutboxModule/);
  });

  it('inbox must be a boolean, and the same for every type of one listener', async () => {
    @Injectable()
    class Bad {
      @OnMessagio(OrderPlaced, { id: 'bad', inbox: 'yes' as unknown as boolean }) on() {}
    }
    await expect(createApp({ providers: [Bad], imports: [MessagioOutboxModule.forRoot({ pool: postgres.pool, table: uniqueTable() })] })).rejects.toThrow(
      /Listener "bad": inbox must be true or false, got yes/,
    );
    @Injectable()
    class Mixed {
      @OnMessagio(OrderPlaced, { id: 'mixed', inbox: true })
      @OnMessagio(OrderCancelled, { id: 'mixed' })
      on() {}
    }
    await expect(createApp({ providers: [Mixed], imports: [MessagioOutboxModule.forRoot({ pool: postgres.pool, table: uniqueTable() })] })).rejects.toThrow(
      /Listener "mixed": inbox must be the same for every message type it subscribes to/,
    );
  });
});
