import { Injectable } from '@nestjs/common';
import { MessagioContext, OnMessagio } from 'nestjs-messagio';
import { CardDeclinedError } from './card-declined.error.js';
import { OrderPlaced } from './order-placed.message.js';

@Injectable()
export class ConfirmationListener {
  readonly confirmed: string[] = [];

  @OnMessagio(OrderPlaced, { id: 'confirmation' })
  confirm(order: OrderPlaced, context: MessagioContext): void {
    if (order.orderId === 'declined') throw new CardDeclinedError(order.orderId);
    this.confirmed.push(`${order.orderId} x${order.quantity} (${context.transport})`);
  }
}
