import { Test, type TestingModule } from '@nestjs/testing';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import 'nestjs-messagio/testing/jest';
import { OrderPlaced } from '../quick-start/order-placed.message.js';
import { OrdersService } from '../quick-start/orders.service.js';
import { GatewayError, OrderConfirmed, PaymentListener, ShippingListener } from './shop.js';

describe('orders: retries, faults and causation', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;
  let orders: OrdersService;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot()],
      providers: [OrdersService, PaymentListener, ShippingListener],
    }).compile();
    await app.init();
    harness = app.get(MessagioTestHarness);
    orders = app.get(OrdersService);
  });
  afterEach(() => harness.reset());
  afterAll(() => app.close());

  // #region retries
  it('gives up on a gateway that stays down', async () => {
    // payment: retryOn [GatewayError], maxRetries 3, retryDelay 200, exponential
    harness.failNext('payment', 4, () => new GatewayError('gateway down'));
    await orders.place('A-3', 4200);
    expect(await harness.drain()).toMatchObject({ retried: 3, failed: 1, elapsed: 200 + 400 + 800 }); // virtual ms
    expect(harness).toHaveFailed(OrderPlaced, 'payment', GatewayError);
    expect(harness).not.toHaveFired(OrderConfirmed);
  });

  it('retries once, then confirms: the trace shows who fired what', async () => {
    harness.failNext('payment', 1, () => new GatewayError('blip'));
    await orders.place('A-4', 4200);
    await harness.drain();
    const [placed] = harness.fired(OrderPlaced);
    const trace = harness.trace(placed!.traceId);
    expect(trace.firedBy('payment').map((m) => m.type)).toEqual(['orders.order-confirmed']);
    expect(trace.format()).toBe(`orders.order-placed
└─ payment: completed (2 attempts)
   └─ orders.order-confirmed
      └─ shipping: completed`);
  });
  // #endregion
});
