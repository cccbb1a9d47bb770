import { Test } from '@nestjs/testing';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import 'nestjs-messagio/testing/jest';
import { OrderPlaced } from '../quick-start/order-placed.message.js';
import { OrdersService } from '../quick-start/orders.service.js';
import { PaymentListener, ShippingListener } from './shop.js';

describe('orders, as a module under test', () => {
  it('captures what OrdersService fires', async () => {
    // #region module
    const moduleRef = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot({ mode: 'capture' })], // record fired messages, run nothing
      providers: [OrdersService, PaymentListener, ShippingListener],
    }).compile();
    await moduleRef.init();
    // #endregion
    try {
      await moduleRef.get(OrdersService).place('A-2', 990);
      const harness = moduleRef.get(MessagioTestHarness);
      expect(harness).toHaveFired(OrderPlaced, { orderId: 'A-2', totalCents: 990 });
      expect(harness).not.toHaveHandled(OrderPlaced);
      expect(harness.pending()).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });
});
