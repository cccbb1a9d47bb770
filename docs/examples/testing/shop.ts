import { Injectable, Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Messagio, MessagioModule, MessagioType, OnMessagio } from 'nestjs-messagio';
import { OrderPlaced } from '../quick-start/order-placed.message.js';
import { OrdersService } from '../quick-start/orders.service.js';

// The app the testing page's samples test: the quick start's OrderPlaced and
// OrdersService, a payment listener that retries and fires a confirmation, and
// a shipping listener of the confirmation.

@MessagioType('orders.order-confirmed')
export class OrderConfirmed extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

export class GatewayError extends Error {
  override name = 'GatewayError';
}

@Injectable()
export class PaymentListener {
  @OnMessagio(OrderPlaced, { id: 'payment', retryOn: [GatewayError], maxRetries: 3, retryDelay: 200, backoff: 'exponential' })
  async charge(order: OrderPlaced) {
    await new OrderConfirmed(order.orderId).fire();
  }
}

@Injectable()
export class ShippingListener {
  @OnMessagio(OrderConfirmed, { id: 'shipping' })
  ship(_confirmed: OrderConfirmed) {}
}

@Module({
  imports: [MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } })],
  providers: [OrdersService, PaymentListener, ShippingListener],
})
export class ShopModule {}
