// #region swap
import { Test, type TestingModule } from '@nestjs/testing';
import { MessagioModule } from 'nestjs-messagio';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import 'nestjs-messagio/testing/jest'; // toHaveFired, toHaveHandled, toHaveFailed
import { OrderPlaced } from '../quick-start/order-placed.message.js';
import { OrdersService } from '../quick-start/orders.service.js';
import { OrderConfirmed, ShopModule } from './shop.js';

describe('orders, with the BullMQ part swapped for the test harness', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [ShopModule] }) // ShopModule imports MessagioModule.forRoot({ connection })
      .overrideModule(MessagioModule)
      .useModule(MessagioTestingModule.forRoot())
      .compile();
    await app.init(); // discovers the listeners, starts the test transport
    harness = app.get(MessagioTestHarness);
  });
  afterEach(() => harness.reset());
  afterAll(() => app.close());

  it('charges the order, then ships it', async () => {
    await app.get(OrdersService).place('A-1', 4200);
    const summary = await harness.drain(); // everything pending, retries and cascades included
    expect(summary).toMatchObject({ fired: 1, completed: 2, failed: 0, pending: 0 }); // fired: OrderConfirmed, during the drain
    expect(harness).toHaveHandled(OrderPlaced, 'payment');
    expect(harness).toHaveFired(OrderConfirmed, { orderId: 'A-1' });
    expect(harness).toHaveHandled(OrderConfirmed, 'shipping');
  });
});
// #endregion
