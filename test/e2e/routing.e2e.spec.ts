import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  BullMqTransport,
  MESSAGIO_TRANSPORT,
  MessagioAdmin,
  MessagioConfigurationError,
  MessagioContext,
  MessagioPublisher,
  Messagio,
  MessagioType,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { uniqueQueue } from '../support/redis.js';

@MessagioType('billing.invoice')
class Invoice extends Messagio {
  @IsString() id: string;
  constructor(id: string) {
    super();
    this.id = id;
  }
}

// Queue names are fixed when the listener class is decorated; each test gets its
// own `prefix`, so no test sees another's jobs.
const critical = 'critical';
const bulk = 'bulk';

@Injectable()
class Routed {
  static running = new Map<string, number>();
  static peak = new Map<string, number>();
  constructor(private readonly recorder: Recorder) {}

  private async busy(name: string, msg: Messagio, ctx: MessagioContext) {
    const now = (Routed.running.get(name) ?? 0) + 1;
    Routed.running.set(name, now);
    Routed.peak.set(name, Math.max(Routed.peak.get(name) ?? 0, now));
    this.recorder.record(name, msg, ctx);
    await new Promise((r) => setTimeout(r, 100));
    Routed.running.set(name, Routed.running.get(name)! - 1);
  }

  @OnMessagio(PerformAction, { id: 'urgent', queue: critical }) urgent(msg: PerformAction, ctx: MessagioContext) {
    return this.busy('urgent', msg, ctx);
  }
  @OnMessagio(PerformAction, { id: 'plain' }) plain(msg: PerformAction, ctx: MessagioContext) {
    return this.busy('plain', msg, ctx);
  }
  @OnMessagio(Invoice, { id: 'invoice' }) invoice(msg: Invoice, ctx: MessagioContext) {
    return this.busy('invoice', msg, ctx);
  }
  @OnMessagio(Invoice, { id: 'invoice-urgent', queue: critical }) invoiceUrgent(msg: Invoice, ctx: MessagioContext) {
    return this.busy('invoice-urgent', msg, ctx);
  }
}

const routing = () => ({
  queues: { [critical]: { concurrency: 3 }, [bulk]: { limiter: { max: 2, duration: 1000 } } },
  routes: { 'billing.*': bulk },
  prefix: uniqueQueue('routing'),
});

describe('routing to named queues', () => {
  let app: TestingModule | undefined;
  const others: TestingModule[] = [];
  beforeEach(() => {
    Routed.running.clear();
    Routed.peak.clear();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const o of others.splice(0)) await o.close();
  });

  it('puts deliveries on the listener’s queue, else the first matching route, else the default queue', async () => {
    app = await createApp({ providers: [Routed], ...routing(), worker: false });
    const transport = app.get<BullMqTransport>(MESSAGIO_TRANSPORT);
    const a = await app.get(MessagioPublisher).fire(new PerformAction('route', 1));
    const i = await app.get(MessagioPublisher).fire(new Invoice('inv-1'));
    const where = async (id: string) => {
      for (const [name, q] of transport.queues) if (await q.getJob(id)) return name;
      return undefined;
    };
    expect(await where(`${a.messageId}|urgent`)).toBe(critical);
    expect(await where(`${a.messageId}|plain`)).toBe(transport.queue.name);
    expect(await where(`${i.messageId}|invoice`)).toBe(bulk);
    expect(await where(`${i.messageId}|invoice-urgent`)).toBe(critical); // the listener's own queue beats the route
  });

  it('runs each queue with its own concurrency and rate limit', async () => {
    app = await createApp({ providers: [Routed], ...routing(), worker: { concurrency: 1 } });
    const publisher = app.get(MessagioPublisher);
    await publisher.fireMany(Array.from({ length: 6 }, (_, n) => new PerformAction('c', n)));
    const started = Date.now();
    await publisher.fireMany(Array.from({ length: 4 }, (_, n) => new Invoice(`i-${n}`)));
    const recorder = app.get(Recorder);
    await recorder.waitFor(6 + 6 + 4 + 4, 20_000);
    expect(Routed.peak.get('urgent')).toBeGreaterThan(1); // critical: concurrency 3 (shared by urgent and invoice-urgent)
    expect(Routed.peak.get('urgent')).toBeLessThanOrEqual(3);
    expect(Routed.peak.get('plain')).toBe(1); // default queue: worker.concurrency 1
    // bulk: at most 2 jobs a second, so the 4 invoices span more than a second
    const invoices = recorder.of('invoice').map((c) => c.at);
    expect(Math.max(...invoices) - started).toBeGreaterThanOrEqual(900);
  });

  it('consumes only the queues named in `workers`, so processes can be dedicated to a queue', async () => {
    const shared = routing();
    const queueName = uniqueQueue('main');
    app = await createApp({ providers: [Routed], ...shared, queueName, workers: [critical] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('dedicated', 1));
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(recorder.calls.map((c) => c.listener)).toEqual(['urgent']);
    const other = await createApp({ providers: [Routed], ...shared, queueName, workers: [queueName] });
    others.push(other);
    await other.get(Recorder).waitFor(1);
    expect(other.get(Recorder).calls.map((c) => [c.listener, c.context.messageId])).toEqual([['plain', receipt.messageId]]);
  });

  it.each([
    [{ providers: [Routed] }, /Listener "urgent": orders\.perform-action is sent to queue ".*" by its \{ queue: '.*' \} option, but no such queue is declared/],
    [{ ...routing(), routes: { 'orders.*': 'nowhere' } }, /routes: 'orders\.\*' sends messages to queue "nowhere", which is not declared/],
    [{ ...routing(), workers: ['ghost'] }, /workers: "ghost" is not a declared queue/],
  ])('refuses a queue no process could consume (%#)', async (options, pattern) => {
    const error = await createApp({ ...(options as object), worker: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(pattern);
  });

  it('counts and finds deliveries across queues (admin, receipt.wait)', async () => {
    app = await createApp({ providers: [Routed], ...routing() });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('wait', 1));
    const outcome = await receipt.wait({ timeout: 10_000 });
    expect(outcome.deliveries.map((d) => [d.listener, d.status])).toEqual([
      ['urgent', 'completed'],
      ['plain', 'completed'],
    ]);
    expect(await app.get(MessagioAdmin).counts()).toMatchObject({ completed: 2, failed: 0, queued: 0 });
    expect((await app.get(MessagioAdmin).status(receipt.messageId)).map((s) => s.listener).sort()).toEqual(['plain', 'urgent']);
  });
});
