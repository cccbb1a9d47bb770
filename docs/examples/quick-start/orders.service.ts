import { Injectable } from '@nestjs/common';
import { MessagioPublisher } from 'nestjs-messagio';
import { OrderPlaced } from './order-placed.message.js';

@Injectable()
export class OrdersService {
  constructor(private readonly publisher: MessagioPublisher) {}

  async place(orderId: string, totalCents: number): Promise<string> {
    // Resolves once a delivery per listener is stored in Redis.
    const receipt = await this.publisher.fire(new OrderPlaced(orderId, totalCents));
    return receipt.messageId;
  }
}
