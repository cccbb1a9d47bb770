import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import pg from 'pg';
import { Messagio, MessagioType, OnMessagio, type Delivery, type MessagioContext, type MessagioModuleOptions, type MessagioTransport } from '../../../lib/index.js';
import { MessagioOutboxModule, type MessagioOutboxOptions } from '../../../lib/outbox/index.js';
import { startPostgresServer, type PostgresServerHandle } from '../../../lib/testing/index.js';
import { createApp } from '../fixtures/app.js';
import { Recorder } from '../fixtures/recorder.js';

@MessagioType('orders.placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId!: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

/** Two listeners of one message: every fire makes two deliveries. */
@Injectable()
export class OrderListeners {
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(OrderPlaced, { id: 'billing' }) billing(msg: OrderPlaced, ctx: MessagioContext) {
    this.recorder.record('billing', msg, ctx);
  }

  @OnMessagio(OrderPlaced, { id: 'shipping' }) shipping(msg: OrderPlaced, ctx: MessagioContext) {
    this.recorder.record('shipping', msg, ctx);
  }
}

/** An outbox table no other test uses. */
export function uniqueTable(): string {
  return `outbox_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/** A Nest app with BullMQ on the test redis-server (or `messagio` options) and the outbox on `pool`. */
export function outboxApp(pool: pg.Pool, outbox: Omit<MessagioOutboxOptions, 'pool'>, messagio: MessagioModuleOptions = {}): Promise<TestingModule> {
  return createApp({ ...messagio, providers: [OrderListeners], imports: [MessagioOutboxModule.forRoot({ pool, ...outbox })] });
}

/** Runs `fn` in a transaction on its own client: commits when it resolves, rolls back when it throws (or when `rollback`). */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, { rollback = false } = {}): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The real transport, with every delivery id it was asked to store recorded (and, optionally, some refused). */
export function countingTransport(inner: MessagioTransport, refuse?: (d: Delivery) => Error | undefined): MessagioTransport & { ids: string[] } {
  const ids: string[] = [];
  return {
    name: inner.name,
    ids,
    async enqueue(deliveries: Delivery[]) {
      for (const d of deliveries) {
        const error = refuse?.(d);
        if (error) throw error;
      }
      ids.push(...deliveries.map((d) => d.id));
      await inner.enqueue(deliveries);
    },
    start: (h) => inner.start(h),
    close: () => inner.close(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A private PostgreSQL for one test file, and a pool on it: started before the
 * file's tests, stopped after them. Read `pool` and `url` inside tests.
 */
export function usePostgres(maxConnections = 10): { readonly pool: pg.Pool; readonly url: string } {
  let server: PostgresServerHandle | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    server = await startPostgresServer();
    pool = new pg.Pool({ connectionString: server.url, max: maxConnections });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });
  return {
    get pool() {
      return pool!;
    },
    get url() {
      return server!.url;
    },
  };
}
