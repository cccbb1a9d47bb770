import { Injectable } from '@nestjs/common';
import { MessagioContext, OnMessagio } from 'nestjs-messagio';
import { OrderPlaced } from '../firing/messages.js';

/** Your payment gateway's client: it charges once per idempotency key. */
@Injectable()
export class Payments {
  async charge(orderId: string, cents: number, options: { idempotencyKey: string }): Promise<void> {
    console.log(orderId, cents, options.idempotencyKey);
  }
}

// #region idempotent
@Injectable()
export class ChargeListener {
  constructor(private readonly payments: Payments) {}

  @OnMessagio(OrderPlaced, { maxRetries: 3 })
  async charge(order: OrderPlaced, ctx: MessagioContext) {
    // deliveryId (messageId|listenerId) is the same on every retry and re-delivery:
    // a run after a crash charges nothing twice.
    await this.payments.charge(order.orderId, order.totalCents, { idempotencyKey: ctx.deliveryId });
  }
}
// #endregion
