import { Injectable } from '@nestjs/common';
import { MessagioContext, MessagioPriority, OnMessagio } from 'nestjs-messagio';
import { Mailer, MailTimeoutError } from './mailer.js'; // your mail client, and an error of its
import { OrderPlaced } from './order-placed.message.js';

@Injectable()
export class EmailListener {
  constructor(private readonly mailer: Mailer) {}

  // One BullMQ job per message for this listener, with its own priority and retries.
  @OnMessagio(OrderPlaced, {
    priority: MessagioPriority.HIGH, // higher runs first (default REGULAR, 5)
    retryOn: [MailTimeoutError],     // retried for this error only; any other fails at once
    maxRetries: 3,
    retryDelay: 500,
    backoff: 'exponential',          // waits 500, 1000, 2000 ms
  })
  async confirm(order: OrderPlaced, ctx: MessagioContext): Promise<void> {
    // `order` is a real, validated OrderPlaced; ctx.deliveryId is stable across retries.
    await this.mailer.send('orders@example.com', `Order ${order.orderId} (${ctx.deliveryId}, attempt ${ctx.attempt})`);
  }
}
