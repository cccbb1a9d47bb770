import { Injectable } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Messagio, MessagioType, OnMessagio } from 'nestjs-messagio';

@MessagioType('shop.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessagioType('shop.payment-taken')
export class PaymentTaken extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

// #region priorities
@Injectable()
export class Shop {
  @OnMessagio(OrderPlaced, { priority: 9 })
  async payment(order: OrderPlaced) {
    await new PaymentTaken(order.orderId).fire(); // a follow-up, with a priority-7 listener
  }

  @OnMessagio(OrderPlaced, { priority: 5 })
  email() {}

  @OnMessagio(OrderPlaced, { priority: 0 })
  audit() {}

  @OnMessagio(PaymentTaken, { priority: 7 })
  receipt() {}
}
// Runs: payment (9), receipt (7), email (5), audit (0).
// #endregion
