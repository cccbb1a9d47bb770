import { Injectable } from '@nestjs/common';
import { MessagioContext, MessagioPriority, OnMessagio } from '../../lib/index.js';
import { ActivityLog } from './activity-log.js';
import { OrderPlaced } from './order-placed.message.js';

/** Reserves the ordered items. */
@Injectable()
export class StockListener {
  constructor(private readonly log: ActivityLog) {}

  @OnMessagio(OrderPlaced, { id: 'stock', priority: MessagioPriority.MORE })
  onOrderPlaced(order: OrderPlaced, ctx: MessagioContext): void {
    const items = order.lines.map((line) => `${line.quantity}x ${line.sku}`).join(', ');
    this.log.record(ctx, order.orderId, 'done', `reserved ${items}`);
  }
}
