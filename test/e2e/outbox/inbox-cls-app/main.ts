import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClsPluginTransactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IsString } from 'class-validator';
import { ClsModule } from 'nestjs-cls';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Messagio, MessagioModule, MessagioPublisher, MessagioType, OnMessagio, type MessagioContext } from '../../../../lib/index.js';
import { fromTypeOrm, MessagioOutboxModule, OutboxRelay } from '../../../../lib/outbox/index.js';
import { queueOf } from '../../../support/jobs.js';
import { eventually, redisConnection, uniqueQueue } from '../../../support/redis.js';

// Run by test/e2e/outbox/inbox-cls.e2e.spec.ts in plain Node (nestjs-cls and
// @nestjs-cls/transactional are CommonJS packages requiring NestJS 12's ESM
// build, which Jest cannot load): an inbox: true listener whose writes go
// through @nestjs-cls/transactional's TransactionHost (TypeORM adapter), on a
// real PostgreSQL (POSTGRES_URL) and BullMQ on the test redis-server. Prints
// one JSON line the spec asserts on.

@MessagioType('inbox-cls.order-placed')
class OrderPlaced extends Messagio {
  @IsString() order!: string;
  constructor(order: string) {
    super();
    this.order = order;
  }
}

@MessagioType('inbox-cls.invoice-sent')
class InvoiceSent extends Messagio {
  @IsString() order!: string;
  constructor(order: string) {
    super();
    this.order = order;
  }
}

const DB = Symbol('db');
const POSTGRES_URL = process.env.POSTGRES_URL!;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 6 });
const calls: Array<{ order: string; attempt: number; sameTransaction: boolean }> = [];
const invoices: string[] = [];

@Injectable()
class Billing {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly publisher: MessagioPublisher,
  ) {}

  /** Writes through the TransactionHost, fires with no argument (the ambient transaction), and throws on attempt 1 of 'o-fail'. */
  @OnMessagio(OrderPlaced, { id: 'billing', inbox: true, maxRetries: 1, retryDelay: 20 })
  async bill(msg: OrderPlaced, ctx: MessagioContext): Promise<void> {
    calls.push({ order: msg.order, attempt: ctx.attempt, sameTransaction: ctx.transaction === this.txHost.tx });
    await this.txHost.tx.query('INSERT INTO inbox_cls_effects (order_id, attempt) VALUES ($1, $2)', [msg.order, ctx.attempt]);
    await this.publisher.fire(new InvoiceSent(msg.order));
    if (msg.order === 'o-fail' && ctx.attempt === 1) throw new Error('attempt 1 fails after its writes');
  }

  @OnMessagio(InvoiceSent, { id: 'mailer' }) mail(msg: InvoiceSent) {
    invoices.push(msg.order);
  }
}

async function main() {
  await pool.query('CREATE TABLE IF NOT EXISTS inbox_cls_effects (order_id text NOT NULL, attempt int NOT NULL)');
  const dataSource = await new DataSource({ type: 'postgres', url: POSTGRES_URL }).initialize();
  @Module({ providers: [{ provide: DB, useValue: dataSource }], exports: [DB] })
  class DbModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [
      ClsModule.forRoot({
        global: true,
        plugins: [new ClsPluginTransactional({ imports: [DbModule], adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: DB }) })],
      }),
      MessagioModule.forRoot({ connection: redisConnection(), queueName: uniqueQueue('inbox-cls'), removeOnComplete: false }),
      MessagioOutboxModule.forRoot({ pool, table: 'outbox_inbox_cls', client: fromTypeOrm, relay: { pollMs: 50 } }),
    ],
    providers: [Billing],
  }).compile();
  await moduleRef.init();
  try {
    const publisher = moduleRef.get(MessagioPublisher);
    const ok = await publisher.fire(new OrderPlaced('o-ok'));
    const failing = await publisher.fire(new OrderPlaced('o-fail'));
    const outcomes = [await ok.wait({ timeout: 15_000 }), await failing.wait({ timeout: 15_000 })];
    // A redelivery of the committed delivery: the same job data, stored again.
    const queue = queueOf(moduleRef);
    const original = (await queue.getJob(`${ok.messageId}|billing`))!;
    const again = await queue.add(original.name, original.data, { jobId: `again-${ok.messageId}` });
    await eventually(async () => (await queue.getJobState(again.id!)) === 'completed', 15_000, 'the redelivery');
    await moduleRef.get(OutboxRelay).drain();
    await eventually(() => invoices.length >= 2, 15_000, 'two invoices');
    await new Promise((r) => setTimeout(r, 500));
    const effects = (await pool.query('SELECT order_id, attempt FROM inbox_cls_effects ORDER BY order_id, attempt')).rows;
    const inbox = (await pool.query('SELECT listener FROM outbox_inbox_cls_inbox ORDER BY delivery_id')).rows.map((r: { listener: string }) => r.listener);
    console.log(
      `RESULT ${JSON.stringify({
        outcomes: outcomes.map((o) => o.deliveries.map((d) => [d.listener, d.status, d.attempts])),
        redelivered: await queue.getJobState(again.id!),
        calls,
        effects,
        inbox,
        invoices: [...invoices].sort(),
      })}`,
    );
  } finally {
    await moduleRef.close();
    await dataSource.destroy();
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
