import type { TestingModule } from '@nestjs/testing';
import { MESSAGIO_TRANSPORT, MessagioAdmin, MessagioConfigurationError, MessagioPublisher, MessagioTimeoutError, type MessagioTransport } from '../../../lib/index.js';
import { MessagioOutbox, MessagioOutboxModule, OutboxRelay, type OutboxStore } from '../../../lib/outbox/index.js';
import { queueOf } from '../../support/jobs.js';
import { eventually } from '../../support/redis.js';
import { createApp } from '../fixtures/app.js';
import { Recorder } from '../fixtures/recorder.js';
import { countingTransport, inTransaction, OrderListeners, OrderPlaced, outboxApp, sleep, uniqueTable, usePostgres } from './fixtures.js';

// Point 1–3 of issue 13 on a real PostgreSQL (started here) and the test
// redis-server: fire(msg, { transaction }) through node-postgres, the relay,
// and what the receipt and the admin say on the way.

const postgres = usePostgres(20);
const apps: TestingModule[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function app(...args: Parameters<typeof outboxApp> extends [unknown, ...infer R] ? R : never): Promise<TestingModule> {
  const created = await outboxApp(postgres.pool, ...args);
  apps.push(created);
  return created;
}

/** Settings of relays made by hand in these tests. */
const relaySettings = { batchSize: 100, leaseMs: 30_000, pollMs: 1000, maxAttempts: 5, backoffMs: 10, maxBackoffMs: 100, retentionMs: 0 };

describe('transactional fire through node-postgres (BullMQ)', () => {
  it('a committed transaction delivers to every listener: the relay wakes on the commit (NOTIFY), not on a poll', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: { pollMs: 600_000 } });
    const recorder = nest.get(Recorder);
    const receipt = await inTransaction(postgres.pool, async (client) => {
      await client.query('CREATE TABLE orders_a (id text PRIMARY KEY)');
      await client.query("INSERT INTO orders_a VALUES ('o-1')");
      const r = await nest.get(MessagioPublisher).fire(new OrderPlaced('o-1'), { transaction: client });
      // Not visible outside the transaction before its commit.
      expect(Number((await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count)).toBe(0);
      return r;
    });
    expect(receipt.pending).toBe('outbox');
    const outcome = await receipt.wait({ timeout: 15_000 });
    expect(outcome.ok).toBe(true);
    expect(outcome.deliveries.map((d) => [d.listener, d.status]).sort()).toEqual([['billing', 'completed'], ['shipping', 'completed']]);
    expect(recorder.calls.map((c) => [c.listener, (c.message as OrderPlaced).orderId]).sort()).toEqual([['billing', 'o-1'], ['shipping', 'o-1']]);
    // Relayed rows are deleted (no retention).
    expect(Number((await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count)).toBe(0);
  });

  it('a rolled-back transaction delivers nothing, ever: no row, nothing after a relay pass and a wait', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: { pollMs: 50 } });
    const publisher = nest.get(MessagioPublisher);
    const receipt = await inTransaction(postgres.pool, (client) => publisher.fire(new OrderPlaced('ghost'), { transaction: client }), { rollback: true });
    expect(await nest.get(OutboxRelay).drain()).toBe(0);
    await sleep(500);
    expect(nest.get(Recorder).calls).toEqual([]);
    expect(Number((await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count)).toBe(0);
    expect(await nest.get(MessagioAdmin).status(receipt.messageId)).toEqual([]);
    expect(await queueOf(nest).getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0, prioritized: 0 });
    // A failing transaction (the app's own statement throws) is the same.
    await expect(
      inTransaction(postgres.pool, async (client) => {
        await publisher.fire(new OrderPlaced('ghost-2'), { transaction: client });
        await client.query('SELECT * FROM no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    await sleep(300);
    expect(nest.get(Recorder).calls).toEqual([]);
  });

  it('keeps fire order within a transaction (fire, fireMany, fire), per listener', async () => {
    const table = uniqueTable();
    const nest = await app({ table });
    const publisher = nest.get(MessagioPublisher);
    await inTransaction(postgres.pool, async (client) => {
      await publisher.fire(new OrderPlaced('1'), { transaction: client });
      await publisher.fire(new OrderPlaced('2'), { transaction: client });
      await publisher.fireMany([new OrderPlaced('3'), new OrderPlaced('4'), new OrderPlaced('5')], { transaction: client });
      await publisher.fire(new OrderPlaced('6'), { transaction: client });
    });
    const recorder = nest.get(Recorder);
    await recorder.waitFor(12, 15_000);
    for (const listener of ['billing', 'shipping']) {
      expect(recorder.of(listener).map((c) => (c.message as OrderPlaced).orderId)).toEqual(['1', '2', '3', '4', '5', '6']);
    }
  });

  it('a fire without transaction, outside any, goes straight to the transport; { transaction: null } too', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: false });
    const publisher = nest.get(MessagioPublisher);
    const direct = await publisher.fire(new OrderPlaced('d-1'));
    const forced = await publisher.fire(new OrderPlaced('d-2'), { transaction: null });
    expect(direct.pending).toBeUndefined();
    expect(Object.keys(direct)).toEqual(['messageId', 'traceId', 'listeners']);
    expect((await direct.wait()).ok).toBe(true);
    expect((await forced.wait()).ok).toBe(true);
    expect(Number((await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count)).toBe(0);
    await expect(inTransaction(postgres.pool, (client) => publisher.fire(new OrderPlaced('s'), { transaction: client, sync: true }))).rejects.toThrow(MessagioConfigurationError);
    await expect(publisher.fire(new OrderPlaced('s'), { transaction: 42 })).rejects.toThrow(MessagioConfigurationError);
  });

  it('validation is checked at fire, inside the transaction: an invalid message writes nothing and the app may roll back', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: false });
    const publisher = nest.get(MessagioPublisher);
    await expect(
      inTransaction(postgres.pool, (client) => publisher.fireMany([new OrderPlaced('ok'), new OrderPlaced(42 as unknown as string)], { transaction: client })),
    ).rejects.toThrow(/orderId/);
    expect(Number((await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count)).toBe(0);
  });

  it('the receipt is pending until relayed: status() says outbox, wait() waits through the outbox, then the transport', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: false });
    const receipt = await inTransaction(postgres.pool, (client) => nest.get(MessagioPublisher).fire(new OrderPlaced('p-1'), { transaction: client }));
    const admin = nest.get(MessagioAdmin);
    expect((await admin.status(receipt.messageId)).map((s) => [s.listener, s.status]).sort()).toEqual([['billing', 'outbox'], ['shipping', 'outbox']]);
    await expect(receipt.wait({ timeout: 200 })).rejects.toThrow(MessagioTimeoutError);
    expect(await admin.outbox.stats()).toMatchObject({ pending: 1, dead: 0, oldestPendingMs: expect.any(Number) });
    const waiting = receipt.wait({ timeout: 15_000 });
    expect(await nest.get(OutboxRelay).drain()).toBe(1);
    expect((await waiting).ok).toBe(true);
    expect((await admin.status(receipt.messageId)).map((s) => s.status)).toEqual(['completed', 'completed']);
    expect(await admin.outbox.stats()).toEqual({ pending: 0, dead: 0, oldestPendingMs: null });
  });

  it('two relays racing publish each row once (FOR UPDATE SKIP LOCKED)', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: false });
    const publisher = nest.get(MessagioPublisher);
    await inTransaction(postgres.pool, async (client) => {
      for (let i = 0; i < 60; i++) await publisher.fire(new OrderPlaced(`r-${i}`), { transaction: client });
    });
    const store = nest.get(MessagioOutbox).store;
    const transport = countingTransport(nest.get<MessagioTransport>(MESSAGIO_TRANSPORT));
    const relays = [0, 1].map((i) => new OutboxRelay(store, transport, { ...relaySettings, batchSize: 7, owner: `racer-${i}` }));
    const [a, b] = await Promise.all(relays.map((r) => r.drain()));
    expect(a + b).toBe(60);
    expect(transport.ids).toHaveLength(120);
    expect(new Set(transport.ids).size).toBe(120);
    await nest.get(Recorder).waitFor(120, 20_000);
    await sleep(300);
    expect(nest.get(Recorder).calls).toHaveLength(120);
  });

  it('re-publishing rows after a crash between Redis and the row delete stores each delivery once (stable job ids)', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: false });
    await inTransaction(postgres.pool, async (client) => {
      await nest.get(MessagioPublisher).fireMany([new OrderPlaced('c-1'), new OrderPlaced('c-2')], { transaction: client });
    });
    const store = nest.get(MessagioOutbox).store;
    const transport = countingTransport(nest.get<MessagioTransport>(MESSAGIO_TRANSPORT));
    // The first relay stores the jobs, then dies before deleting its rows.
    const crashing: OutboxStore = Object.create(store, { complete: { value: () => Promise.reject(new Error('process killed')) } });
    // A lease long enough that a loaded machine cannot outlive it between the two relays' first claims.
    const first = new OutboxRelay(crashing, transport, { ...relaySettings, leaseMs: 3000, owner: 'crashed' });
    await expect(first.runOnce()).rejects.toThrow('process killed');
    expect(transport.ids).toHaveLength(4);
    const second = new OutboxRelay(store, transport, { ...relaySettings, owner: 'second' });
    expect(await second.runOnce()).toBe(0); // still leased
    let relayed = 0;
    await eventually(async () => (relayed += await second.drain()) > 0, 10_000, 'the lease to run out');
    expect(relayed).toBe(2);
    expect(transport.ids).toHaveLength(8); // published twice…
    await nest.get(Recorder).waitFor(4, 15_000);
    await sleep(500);
    expect(nest.get(Recorder).calls).toHaveLength(4); // …stored and run once
    const counts = await queueOf(nest).getJobCounts();
    expect(counts.completed + counts.waiting + counts.active + counts.prioritized).toBe(4);
  });

  it('a row the transport refuses every time is dead-lettered with its reason, never blocking the rows behind it; visible and retryable through MessagioAdmin', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: false });
    const publisher = nest.get(MessagioPublisher);
    const [poison] = await inTransaction(postgres.pool, async (client) => [
      await publisher.fire(new OrderPlaced('poison'), { transaction: client, messageId: 'poison-1' }),
      await publisher.fire(new OrderPlaced('after-1'), { transaction: client }),
      await publisher.fire(new OrderPlaced('after-2'), { transaction: client }),
    ]);
    // A malformed row too (written by hand): dead at once.
    await postgres.pool.query(`INSERT INTO ${table} (message_id, type, deliveries) VALUES ('bad-1', 'orders.placed', '{"oops":1}')`);
    let refusing = true;
    const transport = countingTransport(nest.get<MessagioTransport>(MESSAGIO_TRANSPORT), (d) =>
      refusing && d.envelope.id === 'poison-1' ? new Error('ERR value too large') : undefined,
    );
    const relay = new OutboxRelay(nest.get(MessagioOutbox).store, transport, { ...relaySettings, maxAttempts: 2, backoffMs: 1, owner: 'r' });
    const admin = nest.get(MessagioAdmin);
    await eventually(async () => (await relay.runOnce(), (await admin.outbox.stats()).dead === 2), 10_000, 'two dead rows');
    const recorder = nest.get(Recorder);
    await recorder.waitFor(4, 15_000);
    expect(recorder.calls.map((c) => (c.message as OrderPlaced).orderId).sort()).toEqual(['after-1', 'after-1', 'after-2', 'after-2']);
    const dead = await admin.outbox.dead();
    expect(dead.map((d) => [d.messageId, d.attempts])).toEqual([['poison-1', 1], ['bad-1', 0]]);
    expect(dead[0]!.reason).toMatch(/Refused by the bullmq transport 2 times: Error: ERR value too large/);
    expect(dead[1]!.reason).toMatch(/Malformed outbox row: its deliveries are not a non-empty array/);
    const states = await admin.status(poison!.messageId);
    expect(states.map((s) => [s.listener, s.status])).toEqual([['billing', 'dead'], ['shipping', 'dead']]);
    expect((await poison!.wait({ timeout: 1000 })).ok).toBe(false);
    // Fixed (the transport takes it now): retried, relayed, run.
    refusing = false;
    expect(await admin.outbox.retry([dead[0]!.id])).toEqual([dead[0]!.id]);
    expect(await admin.outbox.retry([dead[0]!.id])).toEqual([]); // no longer dead
    expect(await relay.drain()).toBe(1);
    await recorder.waitFor(6, 15_000);
    expect(await admin.outbox.stats()).toEqual({ pending: 0, dead: 1, oldestPendingMs: null });
  });

  it('retentionMs keeps relayed rows (marked relayed_at), no longer waiting: status() reads the transport', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: { enabled: false, retentionMs: 60_000 } });
    const receipt = await inTransaction(postgres.pool, (client) => nest.get(MessagioPublisher).fire(new OrderPlaced('kept'), { transaction: client }));
    expect(await nest.get(OutboxRelay).drain()).toBe(1);
    expect((await receipt.wait({ timeout: 15_000 })).ok).toBe(true);
    const { rows } = await postgres.pool.query(`SELECT message_id, relayed_at IS NOT NULL AS relayed FROM ${table}`);
    expect(rows).toEqual([{ message_id: receipt.messageId, relayed: true }]);
    expect((await nest.get(MessagioAdmin).status(receipt.messageId)).map((s) => s.status)).toEqual(['completed', 'completed']);
    expect(await nest.get(MessagioAdmin).outbox.stats()).toEqual({ pending: 0, dead: 0, oldestPendingMs: null });
    expect(await nest.get(OutboxRelay).drain()).toBe(0); // never relayed again
  });

  it('a relay-only process (worker: false, relay: true) moves committed rows into BullMQ without consuming them', async () => {
    const table = uniqueTable();
    const nest = await app({ table, relay: { enabled: true, pollMs: 50 } }, { worker: false });
    await inTransaction(postgres.pool, (client) => nest.get(MessagioPublisher).fire(new OrderPlaced('relay-only'), { transaction: client }));
    await eventually(async () => (await postgres.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count === '0', 10_000, 'the row relayed');
    const counts = await queueOf(nest).getJobCounts();
    expect(counts.waiting + counts.prioritized).toBe(2);
    expect(nest.get(Recorder).calls).toEqual([]);
  });

  it('forRootAsync takes its options from a factory', async () => {
    const table = uniqueTable();
    const nest = await createApp({
      providers: [OrderListeners],
      imports: [MessagioOutboxModule.forRootAsync({ useFactory: async () => ({ pool: postgres.pool, table, relay: { pollMs: 50 } }) })],
    });
    apps.push(nest);
    const receipt = await inTransaction(postgres.pool, (client) => nest.get(MessagioPublisher).fire(new OrderPlaced('async'), { transaction: client }));
    expect((await receipt.wait({ timeout: 15_000 })).ok).toBe(true);
  });

  it('MessagioAdmin.outbox without an outbox configured is a MessagioConfigurationError', async () => {
    const plain = await createApp();
    apps.push(plain);
    expect(() => plain.get(MessagioAdmin).outbox).toThrow(MessagioConfigurationError);
    await expect(plain.get(MessagioPublisher).fire(new OrderPlaced('x'), { transaction: {} })).rejects.toThrow(/no transactional outbox is configured/);
  });
});
