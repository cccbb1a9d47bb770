import { Injectable } from '@nestjs/common';
import { MessagioContext, OnMessagio } from '../../lib/index.js';
import { ActivityLog } from './activity-log.js';
import { OrderConfirmed } from './order-confirmed.message.js';

/** Ships confirmed orders. No priority given: MessagioPriority.REGULAR. */
@Injectable()
export class ShippingListener {
  constructor(private readonly log: ActivityLog) {}

  @OnMessagio(OrderConfirmed, { id: 'shipping' })
  onOrderConfirmed(confirmed: OrderConfirmed, ctx: MessagioContext): void {
    this.log.record(ctx, confirmed.orderId, 'done', `shipment booked after ${confirmed.paymentRef}, caused by ${ctx.causationId?.slice(0, 8)}`);
  }
}
