import { Injectable } from '@nestjs/common';
import { MessagioContext, MessagioPriority, OnMessagio } from '../../lib/index.js';
import { ActivityLog } from './activity-log.js';
import { OrderConfirmed } from './order-confirmed.message.js';
import { OrderPlaced } from './order-placed.message.js';

/** Keeps an audit trail of both order messages; nothing waits on it, so it runs last. */
@Injectable()
export class AuditListener {
  constructor(private readonly log: ActivityLog) {}

  // One listener, two message types.
  @OnMessagio([OrderPlaced, OrderConfirmed], { id: 'audit', priority: MessagioPriority.LOW })
  onOrderMessage(message: OrderPlaced | OrderConfirmed, ctx: MessagioContext): void {
    const cause = ctx.causationId ? `, caused by ${ctx.causationId.slice(0, 8)}` : '';
    this.log.record(ctx, message.orderId, 'done', `recorded ${ctx.type} ${ctx.messageId.slice(0, 8)}${cause}`);
  }
}
