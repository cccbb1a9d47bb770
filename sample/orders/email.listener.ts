import { Injectable } from '@nestjs/common';
import { MessagioContext, MessagioPriority, OnMessagio } from '../../lib/index.js';
import { ActivityLog } from './activity-log.js';
import { formatCents } from './money.js';
import { OrderPlaced } from './order-placed.message.js';

/** Tells the customer first: the highest priority of OrderPlaced's listeners. */
@Injectable()
export class EmailListener {
  constructor(private readonly log: ActivityLog) {}

  // `id` is the stable name used in job ids; without it it would be 'EmailListener.onOrderPlaced'.
  @OnMessagio(OrderPlaced, { id: 'email', priority: MessagioPriority.HIGH })
  onOrderPlaced(order: OrderPlaced, ctx: MessagioContext): void {
    // `order` is a real OrderPlaced (methods work), its lines real OrderLines.
    this.log.record(ctx, order.orderId, 'done', `receipt to ${order.customerEmail}, total ${formatCents(order.totalCents())}`);
  }
}
