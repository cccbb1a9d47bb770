import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Messagio, MessagioModule, MessagioPublisher, MessagioType, OnMessagio, type MessagioContext } from '../../lib/index.js';
import { MESSAGIO_OUTBOX_STORE, MemoryOutboxStore, MemoryOutboxTransaction, MessagioInbox, MessagioOutboxModule, OutboxRelay } from '../../lib/outbox/index.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';
import { eventually } from '../support/redis.js';

// Point 5 of issue 13 without a database: with the in-memory outbox store, an
// inbox: true listener runs under the test harness with the same semantics as
// on PostgreSQL (test/e2e/outbox/inbox-pg.e2e.spec.ts): once per delivery id,
// its transaction's fires relayed at its commit and dropped when it throws.

@MessagioType('testing-inbox.order-placed')
class OrderPlaced extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessagioType('testing-inbox.invoice-due')
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
  constructor(private readonly publisher: MessagioPublisher) {}

  /** Fires in the inbox's transaction; attempt 1 of 'o-fail' throws after its fire. */
  @OnMessagio(OrderPlaced, { id: 'billing', inbox: true, maxRetries: 1, retryDelay: 10 })
  async billing(msg: OrderPlaced, ctx: MessagioContext) {
    seen.push(`billing:${msg.orderId}:${ctx.attempt}:${ctx.transaction instanceof MemoryOutboxTransaction}`);
    await this.publisher.fire(new InvoiceDue(msg.orderId), { transaction: ctx.transaction });
    if (msg.orderId === 'o-fail' && ctx.attempt === 1) throw new Error('declined after the fire');
  }

  @OnMessagio(InvoiceDue, { id: 'invoicing' }) invoicing(msg: InvoiceDue) {
    seen.push(`invoicing:${msg.orderId}`);
  }
}

describe('inbox: true under the test harness (in-memory store)', () => {
  let app: TestingModule;
  afterEach(() => app?.close());

  async function harnessApp(): Promise<MessagioTestHarness> {
    app = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot(), MessagioOutboxModule.forRoot({ store: new MemoryOutboxStore() })],
      providers: [Listeners],
    }).compile();
    await app.init();
    seen.length = 0;
    return app.get(MessagioTestHarness);
  }

  it('runs once per delivery id: a redelivery of a committed one does not call the listener', async () => {
    const harness = await harnessApp();
    const receipt = await app.get(MessagioPublisher).fire(new OrderPlaced('o-1'));
    await harness.drain();
    expect(seen).toEqual(['billing:o-1:1:true', 'invoicing:o-1']);
    let reruns = 0;
    expect(await app.get(MessagioInbox).run(`${receipt.messageId}|billing`, 'billing', () => reruns++)).toBe(false);
    expect(reruns).toBe(0);
  });

  it('a throw rolls back what the attempt fired in its transaction; the retry runs it again, and its fire is relayed once', async () => {
    const harness = await harnessApp();
    await app.get(MessagioPublisher).fire(new OrderPlaced('o-fail'));
    await harness.drain();
    expect(seen).toEqual(['billing:o-fail:1:true', 'billing:o-fail:2:true', 'invoicing:o-fail']);
    expect(harness.handled(InvoiceDue)).toHaveLength(1);
  });

  it("an app's PostgreSQL outbox swapped for the memory store gets the memory inbox", async () => {
    const unused = { query: () => Promise.reject(new Error('no database in this test')), connect: () => Promise.reject(new Error('no database in this test')) };
    app = await Test.createTestingModule({
      imports: [MessagioModule.forRoot({ transport: 'memory' }), MessagioOutboxModule.forRoot({ pool: unused as never })],
      providers: [Listeners],
    })
      .overrideProvider(MESSAGIO_OUTBOX_STORE)
      .useValue(new MemoryOutboxStore())
      .compile();
    await app.init();
    seen.length = 0;
    const receipt = await app.get(MessagioPublisher).fire(new OrderPlaced('o-2'));
    expect((await receipt.wait({ timeout: 5000 })).ok).toBe(true);
    expect(await app.get(OutboxRelay).drain()).toBe(1); // the listener's fire, committed with its inbox record
    await eventually(() => seen.length === 2, 5000, 'the invoice');
    expect(seen).toEqual(['billing:o-2:1:true', 'invoicing:o-2']);
  });
});
