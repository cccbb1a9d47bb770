import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import {
  BullMqTransport,
  MessagioBatchDispatchError,
  MessagioConfigurationError,
  MessagioContext,
  MessagioDispatchError,
  MessagioPublisher,
  MessagioUnavailableError,
  OnMessagio,
} from '../../lib/index.js';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { createApp } from './fixtures/app.js';
import { FatalError, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, memoryTransportOf, transportOf } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { eventually, redisClient, uniqueQueue } from '../support/redis.js';

/** Records every PerformAction; fails for good on a negative objId. */
@Injectable()
class Picky {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'picky' })
  picky(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('picky', msg, ctx);
    if (msg.objId < 0) throw new FatalError(`refused ${msg.actionName}`);
  }
}

/** A second listener of PerformAction, routed to its own queue. */
@Injectable()
class SideQueue {
  @OnMessagio(PerformAction, { id: 'side', queue: 'side' }) side() {}
}

const batch = (label: string, n = 3) => Array.from({ length: n }, (_, i) => new PerformAction(`${label}-${i}`, i));
const idsFor = (n = 3) => Array.from({ length: n }, (_, i) => `batch-${randomUUID()}-${i}`);

/** Deliveries stored and not yet run (the apps here do not consume). */
async function stored(app: TestingModule, queue?: Queue): Promise<number> {
  if (queue) return queue.count();
  return (await memoryTransportOf(app).counts()).queued;
}

describe.each(TRANSPORTS)('fireMany idempotency keys (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('gives each message the id at its index; fired again with the same ids, nothing is stored twice', async () => {
    app = await createApp({ transport, providers: [Picky], worker: false });
    const publisher = app.get(MessagioPublisher);
    const ids = idsFor();
    const first = await publisher.fireMany(batch('once'), { messageIds: ids });
    expect(first.map((r) => r.messageId)).toEqual(ids);
    const again = await publisher.fireMany(batch('twice'), { messageIds: ids });
    expect(again.map((r) => r.messageId)).toEqual(ids);
    expect(await stored(app, transport === 'bullmq' ? queueOf(app) : undefined)).toBe(3);
    const states = await transportOf(app).inspect!(ids.map((id) => `${id}|picky`));
    expect(states.map((s) => s.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it.each([
    ['fewer ids than messages', { messageIds: ['a', 'b'] }, /messageIds must be an array with one id per message \(3\), got 2 ids/],
    ['the same id twice', { messageIds: ['a', 'b', 'a'] }, /messageIds has "a" twice/],
    ['an id with a newline', { messageIds: ['a', 'b\nc', 'd'] }, /messageIds\[1\] must be 1 to 128 printable ASCII characters/],
    ['one shared messageId', { messageId: 'shared' }, /give one per message with \{ messageIds: \[\.\.\.\] \}/],
  ])('refuses %s with MessagioConfigurationError and stores nothing', async (_label, options, message) => {
    app = await createApp({ transport, providers: [Picky], worker: false });
    const error = await app.get(MessagioPublisher).fireMany(batch('bad'), options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(await stored(app, transport === 'bullmq' ? queueOf(app) : undefined)).toBe(0);
  });
});

describe.each(TRANSPORTS)('fireMany({ sync: true }) (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('runs every message, then rejects with one error listing each failed message and listener', async () => {
    app = await createApp({ transport, providers: [Picky] });
    const messages = [new PerformAction('a', 1), new PerformAction('b', -1), new PerformAction('c', 2), new PerformAction('d', -2)];
    const ids = idsFor(4);
    const error = (await app.get(MessagioPublisher).fireMany(messages, { sync: true, messageIds: ids }).catch((e: unknown) => e)) as MessagioBatchDispatchError;

    // Every message ran, in order, though the second failed.
    expect(app.get(Recorder).calls.map((c) => (c.message as PerformAction).actionName)).toEqual(['a', 'b', 'c', 'd']);
    expect(error).toBeInstanceOf(MessagioBatchDispatchError);
    expect(error.failures.map((f) => [f.messageType, f.messageId, f.failures.map((l) => [l.listener, l.error.message])])).toEqual([
      ['orders.perform-action', ids[1], [['picky', 'refused b']]],
      ['orders.perform-action', ids[3], [['picky', 'refused d']]],
    ]);
    expect(error.failures.every((f) => f instanceof MessagioDispatchError)).toBe(true);
    expect(error.message).toBe(
      `2 of 4 messages fired with fireMany({ sync: true }) had failing listeners: ` +
        `1 listener(s) of orders.perform-action [${ids[1]}] failed: picky (after 1 attempt): FatalError: refused b | ` +
        `1 listener(s) of orders.perform-action [${ids[3]}] failed: picky (after 1 attempt): FatalError: refused d`,
    );
    // The receipts: every message's, and those of the messages that succeeded.
    expect(error.receipts.map((r) => r.messageId)).toEqual(ids);
    expect(error.succeeded.map((r) => r.messageId)).toEqual([ids[0], ids[2]]);
    expect((await error.succeeded[0]!.wait()).ok).toBe(true);
  });
});

describe('a rejected fireMany retried with the same messageIds stores each delivery once (real Redis)', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('publish timeout: Redis frozen (SIGSTOP) while storing', async () => {
    const app = await createApp({
      providers: [Picky],
      connection: { host: redis.host, port: redis.port },
      publishTimeout: 300,
      worker: false,
    });
    try {
      const publisher = app.get(MessagioPublisher);
      const queue = queueOf(app);
      await publisher.fire(new PerformAction('warm-up', 0)); // connected before the freeze
      const ids = idsFor(5);
      redis.process.kill('SIGSTOP');
      let error: unknown;
      try {
        error = await publisher.fireMany(batch('frozen', 5), { messageIds: ids }).catch((e: unknown) => e);
      } finally {
        redis.process.kill('SIGCONT');
      }
      expect(error).toBeInstanceOf(MessagioUnavailableError);
      expect((error as Error).message).toBe(`Redis at 127.0.0.1:${redis.port} did not store the message within 300 ms (publishTimeout): connected, no answer.`);
      // The rejected call was stored nonetheless, once Redis woke up.
      await eventually(async () => (await queue.count()) === 6, 5000, 'the frozen batch to be stored');

      const receipts = await publisher.fireMany(batch('retried', 5), { messageIds: ids });
      expect(receipts.map((r) => r.messageId)).toEqual(ids);
      expect(await queue.count()).toBe(6);
      for (const id of ids) expect((await queue.getJob(`${id}|picky`))?.data.payload.actionName).toMatch(/^frozen-/);
    } finally {
      await app.close();
    }
  });

  it('one queue refuses its addBulk while another stored its deliveries', async () => {
    const prefix = uniqueQueue('partial');
    const app = await createApp({ providers: [Picky, SideQueue], prefix, queues: { side: {} }, worker: false });
    const client = redisClient();
    try {
      const main = queueOf(app);
      const side = (transportOf(app) as BullMqTransport).queues.get('side')!;
      // The side queue's job counter occupied by a hash: every job add to it fails (WRONGTYPE), the main queue's succeed.
      await client.hset(`${prefix}:side:id`, 'occupied', '1');
      const ids = idsFor(3);
      const publisher = app.get(MessagioPublisher);
      const error = await publisher.fireMany(batch('partial'), { messageIds: ids }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioUnavailableError);
      expect((error as Error).message).toMatch(
        /^Redis refused the deliveries to queue "side" \(WRONGTYPE [^)]*\); some deliveries may have been stored\. The deliveries to the other queues were stored\. Fire again with the same messageId \(fireMany: the same messageIds\): a delivery already stored is not stored twice\.$/,
      );
      expect([await main.count(), await side.count()]).toEqual([3, 0]);

      await client.del(`${prefix}:side:id`);
      const receipts = await publisher.fireMany(batch('partial-again'), { messageIds: ids });
      expect(receipts.map((r) => r.listeners)).toEqual([
        ['picky', 'side'],
        ['picky', 'side'],
        ['picky', 'side'],
      ]);
      expect([await main.count(), await side.count()]).toEqual([3, 3]);
      for (const id of ids) {
        expect((await main.getJob(`${id}|picky`))?.data.payload.actionName).toMatch(/^partial-\d$/);
        expect((await side.getJob(`${id}|side`))?.data.payload.actionName).toMatch(/^partial-again-\d$/);
      }
    } finally {
      await client.quit();
      await app.close();
    }
  });
});
