import { Injectable } from '@nestjs/common';
import { MessagioPublisher, type MessagioReceipt } from 'nestjs-messagio';
import { OrderPlaced } from './order-placed.message.js';

@Injectable()
export class OrdersService {
  constructor(private readonly publisher: MessagioPublisher) {}

  place(orderId: string, quantity: number): Promise<MessagioReceipt> {
    return this.publisher.fire(new OrderPlaced(orderId, quantity));
  }
}
