import { Test } from '@nestjs/testing';
import { MessagioModule, MessagioPublisher } from 'nestjs-messagio';
import { MESSAGIO_OUTBOX_STORE, MemoryOutboxStore } from 'nestjs-messagio/outbox';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import { AppModule, Shipping } from './setup.js';
import { OrderPlaced } from './messages.js';

// #region testing
it('delivers OrderPlaced once the transaction commits, never after a rollback', async () => {
  const app = await Test.createTestingModule({ imports: [AppModule] })
    .overrideModule(MessagioModule)
    .useModule(MessagioTestingModule.forRoot())
    .overrideProvider(MESSAGIO_OUTBOX_STORE)
    .useValue(new MemoryOutboxStore()) // no database: the same commit and rollback semantics
    .compile();
  await app.init();
  const harness = app.get(MessagioTestHarness);
  const publisher = app.get(MessagioPublisher);

  await harness.transaction((transaction) => publisher.fire(new OrderPlaced('o-1'), { transaction }));
  await harness
    .transaction(async (transaction) => {
      await publisher.fire(new OrderPlaced('o-2'), { transaction });
      throw new Error('payment declined'); // rolled back
    })
    .catch(() => undefined);

  await harness.drain(); // relays committed rows, then runs their deliveries
  expect(app.get(Shipping).shipped).toEqual(['o-1']);
  expect(harness.handled(OrderPlaced).map((d) => d.message.orderId)).toEqual(['o-1']);
  await app.close();
});
// #endregion
