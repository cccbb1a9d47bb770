import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Messagio,
  MessagioAdmin,
  MessagioConfigurationError,
  MessagioModule,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
} from '../../lib/index.js';
import { MESSAGIO_OUTBOX_STORE, MemoryOutboxStore, MessagioOutbox, MessagioOutboxModule, type MemoryOutboxTransaction } from '../../lib/outbox/index.js';
import { MessagioTestHarness, MessagioTestingModule, type MessagioTestingModuleOptions } from '../../lib/testing/index.js';

// Point 8 of issue 13: the outbox without a database. The in-memory store keeps
// a transaction's rows aside until it commits and drops them on rollback;
// harness.drain() relays committed rows before running deliveries. The same
// scenarios run on PostgreSQL and BullMQ in test/e2e/outbox/outbox-pg.e2e.spec.ts.

@MessagioType('testing.order-placed')
class OrderPlaced extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessagioType('testing.invoice-due')
class InvoiceDue extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

const seen: string[] = [];

@Injectable()
class Listeners {
  constructor(
    private readonly publisher: MessagioPublisher,
    private readonly outbox: MessagioOutbox,
  ) {}

  @OnMessagio(OrderPlaced, { id: 'billing' }) async billing(msg: OrderPlaced) {
    seen.push(`billing:${msg.orderId}`);
    // A listener firing transactionally: its commit is relayed within the same drain().
    await (this.outbox.store as MemoryOutboxStore).transaction((transaction) => this.publisher.fire(new InvoiceDue(msg.orderId), { transaction }));
  }

  @OnMessagio(OrderPlaced, { id: 'shipping' }) shipping(msg: OrderPlaced) {
    seen.push(`shipping:${msg.orderId}`);
  }

  @OnMessagio(InvoiceDue, { id: 'invoicing' }) invoicing(msg: InvoiceDue) {
    seen.push(`invoicing:${msg.orderId}`);
  }
}

async function harnessApp(testing: MessagioTestingModuleOptions = {}): Promise<{ app: TestingModule; harness: MessagioTestHarness; publisher: MessagioPublisher; store: MemoryOutboxStore }> {
  const store = new MemoryOutboxStore();
  const app = await Test.createTestingModule({
    imports: [MessagioTestingModule.forRoot(testing), MessagioOutboxModule.forRoot({ store })],
    providers: [Listeners],
  }).compile();
  await app.init();
  seen.length = 0;
  return { app, harness: app.get(MessagioTestHarness), publisher: app.get(MessagioPublisher), store };
}

describe('the outbox under the test harness (in-memory store)', () => {
  let app: TestingModule;
  afterEach(() => app?.close());

  it('commit: pending in the outbox until drain() relays it, then every listener runs (and what they fire in a transaction)', async () => {
    const t = await harnessApp();
    app = t.app;
    const receipt = await t.harness.transaction((transaction) => t.publisher.fire(new OrderPlaced('o-1'), { transaction }));
    expect(receipt.pending).toBe('outbox');
    const admin = app.get(MessagioAdmin);
    expect((await admin.status(receipt.messageId)).map((s) => s.status)).toEqual(['outbox', 'outbox']);
    expect(seen).toEqual([]);
    await t.harness.drain();
    expect(seen).toEqual(['billing:o-1', 'shipping:o-1', 'invoicing:o-1']);
    expect((await receipt.wait({ timeout: 100 })).ok).toBe(true);
    expect(await admin.outbox.stats()).toEqual({ pending: 0, dead: 0, oldestPendingMs: null });
  });

  it('rollback: a transaction that throws leaves nothing to relay, ever', async () => {
    const t = await harnessApp();
    app = t.app;
    let receipt;
    await expect(
      t.harness.transaction(async (transaction) => {
        receipt = await t.publisher.fire(new OrderPlaced('ghost'), { transaction });
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    await t.harness.drain();
    expect(seen).toEqual([]);
    expect(await app.get(MessagioAdmin).status(receipt!.messageId)).toEqual([]);
    expect(t.harness.fired()).toHaveLength(1); // fired (recorded) but never delivered
  });

  it('a transaction made by hand: commit() or rollback(); a finished one refuses more fires', async () => {
    const t = await harnessApp();
    app = t.app;
    const kept = t.store.begin();
    const dropped = t.store.begin();
    await t.publisher.fire(new OrderPlaced('kept'), { transaction: kept });
    await t.publisher.fireMany([new OrderPlaced('dropped-1'), new OrderPlaced('dropped-2')], { transaction: dropped });
    dropped.rollback();
    await t.harness.drain();
    expect(seen).toEqual([]); // not committed yet
    kept.commit();
    await t.harness.drain();
    expect(seen).toEqual(['billing:kept', 'shipping:kept', 'invoicing:kept']);
    await expect(t.publisher.fire(new OrderPlaced('late'), { transaction: kept })).rejects.toThrow(/already committed/);
    await expect(t.publisher.fire(new OrderPlaced('odd'), { transaction: {} })).rejects.toThrow(MessagioConfigurationError);
  });

  it('a transactional fire cannot be sync nor deduplicated (both decide before the commit); { transaction: null } fires directly', async () => {
    const t = await harnessApp();
    app = t.app;
    const transaction = t.store.begin();
    await expect(t.publisher.fire(new OrderPlaced('s'), { transaction, sync: true })).rejects.toThrow(/cannot be both \{ sync: true \} and transactional/);
    await expect(t.publisher.fire(new OrderPlaced('d'), { transaction, dedupe: { key: 'd' } })).rejects.toThrow(
      /cannot be both \{ dedupe \} and transactional: .* Pass \{ transaction: null \}/,
    );
    transaction.commit();
    await t.harness.drain();
    expect(seen).toEqual([]); // neither was written
    const direct = await t.publisher.fire(new OrderPlaced('now'), { transaction: null, dedupe: { key: 'now' } });
    expect(direct.pending).toBeUndefined();
    await t.harness.drain();
    expect(seen).toEqual(['billing:now', 'shipping:now', 'invoicing:now']);
  });

  it('keeps fire order within a transaction', async () => {
    const t = await harnessApp();
    app = t.app;
    await t.harness.transaction(async (transaction: MemoryOutboxTransaction) => {
      await t.publisher.fire(new OrderPlaced('1'), { transaction });
      await t.publisher.fireMany([new OrderPlaced('2'), new OrderPlaced('3')], { transaction });
    });
    await t.harness.drain();
    expect(seen.filter((s) => s.startsWith('shipping:'))).toEqual(['shipping:1', 'shipping:2', 'shipping:3']);
  });

  it('autoDrain: the transaction resolves after everything its commit caused has run', async () => {
    const t = await harnessApp({ mode: 'autoDrain' });
    app = t.app;
    await t.harness.transaction((transaction) => t.publisher.fire(new OrderPlaced('a-1'), { transaction }));
    expect(seen).toEqual(['billing:a-1', 'shipping:a-1', 'invoicing:a-1']);
  });

  it('a malformed row is dead-lettered by drain(), visible and retryable, and the rows behind it run', async () => {
    const t = await harnessApp();
    app = t.app;
    const bad = t.store.insertRaw({ messageId: 'bad-1', type: 'testing.order-placed', deliveries: { oops: 1 } });
    await t.harness.transaction((transaction) => t.publisher.fire(new OrderPlaced('after'), { transaction }));
    await t.harness.drain();
    expect(seen).toEqual(['billing:after', 'shipping:after', 'invoicing:after']);
    const admin = app.get(MessagioAdmin);
    expect((await admin.outbox.dead()).map((d) => [d.id, d.messageId, d.reason])).toEqual([[bad, 'bad-1', expect.stringMatching(/^Malformed outbox row/)]]);
    expect(await admin.outbox.retry([bad])).toEqual([bad]);
    expect(await admin.outbox.stats()).toMatchObject({ pending: 1, dead: 0 });
  });

  it('harness.transaction() without the in-memory outbox is a MessagioConfigurationError', async () => {
    app = await Test.createTestingModule({ imports: [MessagioTestingModule.forRoot()] }).compile();
    await app.init();
    await expect(app.get(MessagioTestHarness).transaction(() => undefined)).rejects.toThrow(/needs the in-memory outbox/);
  });
});

describe('a whole app with a PostgreSQL outbox, tested without a database', () => {
  it('overrideModule(MessagioModule) and overrideProvider(MESSAGIO_OUTBOX_STORE): the pool is never touched', async () => {
    const untouchable = new Proxy({}, { get: (_t, key) => { throw new Error(`the pool was used (${String(key)})`); } });
    @Module({
      imports: [MessagioModule.forRoot({ connection: { host: '127.0.0.1', port: 1 } }), MessagioOutboxModule.forRoot({ pool: untouchable as never })],
      providers: [Listeners],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(MessagioModule)
      .useModule(MessagioTestingModule.forRoot())
      .overrideProvider(MESSAGIO_OUTBOX_STORE)
      .useValue(new MemoryOutboxStore())
      .compile();
    await app.init();
    try {
      seen.length = 0;
      const harness = app.get(MessagioTestHarness);
      await harness.transaction((transaction) => app.get(MessagioPublisher).fire(new OrderPlaced('w-1'), { transaction }));
      await harness.drain();
      expect(seen).toEqual(['billing:w-1', 'shipping:w-1', 'invoicing:w-1']);
    } finally {
      await app.close();
    }
  });
});
