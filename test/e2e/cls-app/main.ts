import { Body, Controller, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClsPluginTransactional, Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterDrizzleOrm } from '@nestjs-cls/transactional-adapter-drizzle-orm';
import { IsBoolean, IsString } from 'class-validator';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { ClsModule, ClsService } from 'nestjs-cls';
import pg from 'pg';
import {
  MESSAGIO_CLS_KEY,
  Messagio,
  MessagioContext,
  MessagioModule,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
} from '../../../lib/index.js';
import { MessagioTestingModule } from '../../../lib/testing/index.js';
import { eventually, redisConnection, uniqueQueue } from '../../support/redis.js';

// Run by test/e2e/cls.e2e.spec.ts in plain Node (nestjs-cls and @nestjs-cls/transactional
// are CommonJS packages that require NestJS 12's ESM build, which Node ≥ 20.19 allows
// and Jest's module system does not): a CLS context per delivery, with real nestjs-cls
// and @nestjs-cls/transactional (Drizzle adapter) over a real PostgreSQL (POSTGRES_URL),
// and a tenant id carried from an HTTP request (nestjs-cls middleware) to a listener two
// hops away — on BullMQ (the test redis-server), the memory transport and the test
// harness. Prints one JSON line: what each scenario observed; the spec asserts on it.

const DRIZZLE = Symbol('drizzle');
type Db = NodePgDatabase;

@MessagioType('cls.entry')
class Entry extends Messagio {
  @IsString() note!: string;
  @IsBoolean() failOnce!: boolean;
  @IsBoolean() failAlways!: boolean;
  constructor(note: string, { failOnce = false, failAlways = false } = {}) {
    super();
    this.note = note;
    this.failOnce = failOnce;
    this.failAlways = failAlways;
  }
}

@MessagioType('cls.order-placed')
class OrderPlaced extends Messagio {
  @IsString() order!: string;
  constructor(order: string) {
    super();
    this.order = order;
  }
}

@MessagioType('cls.invoice-due')
class InvoiceDue extends Messagio {
  @IsString() order!: string;
  constructor(order: string) {
    super();
    this.order = order;
  }
}

/** What the listeners saw in their CLS context. */
const seen: Array<Record<string, unknown>> = [];

@Injectable()
class Ledger {
  constructor(
    private readonly tx: TransactionHost<TransactionalAdapterDrizzleOrm<Db>>,
    private readonly cls: ClsService,
  ) {}

  @OnMessagio(Entry, { id: 'ledger', maxRetries: 1, retryDelay: 5 })
  @Transactional()
  async write(entry: Entry, ctx: MessagioContext): Promise<void> {
    seen.push({
      attempt: ctx.attempt,
      context: this.cls.get(MESSAGIO_CLS_KEY) === ctx,
      ids: [this.cls.get('messagio.messageId'), this.cls.get('messagio.traceId'), this.cls.get('messagio.causationId'), this.cls.get('messagio.deliveryId')],
      // Set by the previous attempt, in its own context: never seen here.
      leftover: this.cls.get('leftover'),
      requestOnly: this.cls.get('requestOnly'),
    });
    this.cls.set('leftover', `from attempt ${ctx.attempt}`);
    await this.tx.tx.execute(sql`insert into ledger (note, attempt) values (${entry.note}, ${ctx.attempt})`);
    if (entry.failAlways || (entry.failOnce && ctx.attempt === 1)) throw new Error(`rolled back: ${entry.note}#${ctx.attempt}`);
  }
}

@Injectable()
class Billing {
  constructor(private readonly cls: ClsService) {}

  // Hop 1: fires the next message; its headers (the tenant) go along.
  @OnMessagio(OrderPlaced, { id: 'plan-invoice' })
  async plan(order: OrderPlaced, ctx: MessagioContext): Promise<void> {
    seen.push({ hop: 1, tenant: this.cls.get('tenantId'), headers: { ...ctx.headers }, requestOnly: this.cls.get('requestOnly') });
    await new InvoiceDue(order.order).fire();
  }

  // Hop 2: the tenant of the HTTP request that caused it all, restored from the headers.
  @OnMessagio(InvoiceDue, { id: 'send-invoice' })
  send(_invoice: InvoiceDue, ctx: MessagioContext): void {
    seen.push({ hop: 2, tenant: this.cls.get('tenantId'), headers: { ...ctx.headers }, requestOnly: this.cls.get('requestOnly'), causation: ctx.causationId !== null });
  }
}

@Controller('orders')
class OrdersController {
  constructor(private readonly publisher: MessagioPublisher) {}

  @Post()
  async place(@Body() body: { order: string; sync?: boolean }): Promise<{ messageId: string }> {
    const receipt = await this.publisher.fire(new OrderPlaced(body.order), { sync: body.sync === true });
    return { messageId: receipt.messageId };
  }
}


@Module({
  providers: [
    {
      provide: DRIZZLE,
      useFactory: () => drizzle(pool),
    },
  ],
  exports: [DRIZZLE],
})
class DbModule {}

const POSTGRES_URL = process.env.POSTGRES_URL!;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });

type Variant = 'bullmq' | 'memory' | 'harness';

async function createHttpApp(variant: Variant): Promise<INestApplication> {
  const transport = variant === 'memory' ? 'memory' : 'bullmq';
  const builder = Test.createTestingModule({
    imports: [
      ClsModule.forRoot({
        global: true,
        // The HTTP request's own context: its tenant, and a value that must not leak into deliveries.
        middleware: {
          mount: true,
          setup: (cls, req: { headers: Record<string, string | undefined> }) => {
            cls.set('tenantId', req.headers['x-tenant-id']);
            cls.set('requestOnly', 'request value');
          },
        },
        plugins: [new ClsPluginTransactional({ imports: [DbModule], adapter: new TransactionalAdapterDrizzleOrm<Db>({ drizzleInstanceToken: DRIZZLE }) })],
      }),
      MessagioModule.forRootAsync({
        transport,
        inject: [ClsService],
        useFactory: (cls: ClsService) => ({
          transport,
          ...(transport === 'bullmq' ? { connection: redisConnection() } : {}),
          queueName: uniqueQueue('cls'),
          propagate: {
            capture: () => (cls.isActive() && cls.get('tenantId') ? { tenantId: cls.get<string>('tenantId') } : undefined),
            restore: (headers: Readonly<Record<string, string>>) => {
              if (headers.tenantId !== undefined) cls.set('tenantId', headers.tenantId);
            },
          },
        }),
      }),
    ],
    controllers: [OrdersController],
    providers: [Ledger, Billing],
  });
  // The harness: the same app, its BullMQ part replaced by the testing module, every fire run at once.
  if (variant === 'harness') builder.overrideModule(MessagioModule).useModule(MessagioTestingModule.forRoot({ mode: 'autoDrain' }));
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return app;
}

async function rows(): Promise<string[]> {
  const result = await pool.query<{ note: string; attempt: number }>('select note, attempt from ledger order by id');
  return result.rows.map((r) => `${r.note}#${r.attempt}`);
}

/** Each scenario on a fresh app and an empty table: what it observed. */
async function scenario(variant: Variant, run: (app: INestApplication) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  seen.length = 0;
  await pool.query('truncate ledger');
  const app = await createHttpApp(variant);
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** @Transactional() in a listener: commits when it succeeds, rolls back when it throws; each attempt a fresh context with the ids. */
async function transactions(app: INestApplication): Promise<Record<string, unknown>> {
  const publisher = app.get(MessagioPublisher);
  const ok = await (await publisher.fire(new Entry('ok'))).wait();
  const retried = await (await publisher.fire(new Entry('retried', { failOnce: true }))).wait();
  const failed = await (await publisher.fire(new Entry('failed', { failAlways: true }))).wait();
  return {
    outcomes: [ok.ok, retried.ok, failed.ok],
    rows: await rows(),
    seen: seen.map((s) => ({ ...s, ids: (s.ids as unknown[]).map((id) => (id === null ? null : id === ok.messageId ? 'ok.messageId' : id === `${ok.messageId}|ledger` ? 'ok.deliveryId' : typeof id)) })),
  };
}

/** A tenant id from an HTTP request (nestjs-cls middleware) to a listener two hops away; `sync`: fired with { sync: true } inside the request. */
async function twoHops(app: INestApplication, sync: boolean): Promise<Record<string, unknown>> {
  const response = await fetch(`${await app.getUrl()}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': sync ? 'globex' : 'acme' },
    body: JSON.stringify({ order: 'A-1', sync }),
  });
  await eventually(() => seen.some((s) => s.hop === 2), 10_000, 'the second hop');
  return { status: response.status, seen: [...seen] };
}

async function main(): Promise<void> {
  await pool.query('create table if not exists ledger (id serial primary key, note text not null, attempt int not null)');
  const results: Record<string, unknown> = {};
  for (const variant of ['bullmq', 'memory', 'harness'] as const) {
    results[variant] = {
      transactions: await scenario(variant, transactions),
      twoHops: await scenario(variant, (app) => twoHops(app, false)),
      syncInRequest: await scenario(variant, (app) => twoHops(app, true)),
    };
  }
  await pool.end();
  process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
