import { Injectable } from '@nestjs/common';
import { MessagioContext, MessagioPriority, OnMessagio } from '../../lib/index.js';
import { ActivityLog } from './activity-log.js';
import { formatCents } from './money.js';
import { OrderConfirmed } from './order-confirmed.message.js';
import { OrderPlaced } from './order-placed.message.js';
import { TransientError } from './transient.error.js';

/**
 * Charges the customer through a flaky gateway, then fires OrderConfirmed.
 * Only TransientError is retried (up to 3 times, 200 ms then 400 ms...);
 * any other error would fail the delivery at once.
 */
@Injectable()
export class PaymentListener {
  constructor(private readonly log: ActivityLog) {}

  @OnMessagio(OrderPlaced, {
    id: 'payment',
    priority: MessagioPriority.REGULAR,
    retryOn: [TransientError],
    maxRetries: 3,
    retryDelay: 200,
    backoff: 'exponential',
  })
  async onOrderPlaced(order: OrderPlaced, ctx: MessagioContext): Promise<void> {
    // A real gateway fails now and then; this one times out on every first
    // attempt, so the retry shows up on each run.
    if (ctx.attempt === 1) {
      this.log.record(ctx, order.orderId, 'failed', 'gateway timed out: TransientError, will be retried');
      throw new TransientError(`payment gateway timed out for ${order.orderId}`);
    }
    // ctx.deliveryId is stable across retries: a real gateway call would use it as its idempotency key.
    const paymentRef = `pay-${order.orderId}`;
    // Fired inside a listener: the follow-up inherits this traceId and gets
    // this message's id as its causationId.
    await new OrderConfirmed(order.orderId, paymentRef).fire();
    this.log.record(ctx, order.orderId, 'done', `charged ${formatCents(order.totalCents())} (${paymentRef}), fired OrderConfirmed`);
  }
}
