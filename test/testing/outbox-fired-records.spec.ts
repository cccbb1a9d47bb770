import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Messagio, MessagioPublisher, MessagioType, OnMessagio } from '../../lib/index.js';
import { MemoryOutboxStore, MessagioOutboxModule } from '../../lib/outbox/index.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';

// A message fired into the outbox is one fired message for the harness: it is
// recorded at its fire (a rolled-back one too: fired, never delivered), and
// its relay into the test transport must not record it a second time.

@MessagioType('testing.outbox-records.placed')
class Placed extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@Injectable()
class PlacedListeners {
  @OnMessagio(Placed, { id: 'billing' }) billing() {}
  @OnMessagio(Placed, { id: 'shipping' }) shipping() {}
}

describe('harness records of outbox fires', () => {
  let app: TestingModule;
  afterEach(() => app?.close());

  it('a committed outbox fire is one fired record, before and after drain() relays it; the drain counts no new fire', async () => {
    app = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot(), MessagioOutboxModule.forRoot({ store: new MemoryOutboxStore() })],
      providers: [PlacedListeners],
    }).compile();
    await app.init();
    const harness = app.get(MessagioTestHarness);
    const receipt = await harness.transaction((transaction) => app.get(MessagioPublisher).fire(new Placed('o-1'), { transaction }));
    expect(harness.fired(Placed).map((r) => r.messageId)).toEqual([receipt.messageId]);

    const summary = await harness.drain();
    expect(summary).toMatchObject({ fired: 0, completed: 2, pending: 0 });
    expect(harness.fired(Placed).map((r) => r.messageId)).toEqual([receipt.messageId]);
    expect(harness.fired(Placed)[0]!.receipt).toBe(receipt);
    expect(harness.handled(Placed).map((d) => d.listener)).toEqual(['billing', 'shipping']);
  });
});
