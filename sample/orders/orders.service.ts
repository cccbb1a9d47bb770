import { Injectable } from '@nestjs/common';
import { MessagioPublisher, type FireReceipt } from '../../lib/index.js';
import { OrderPlaced } from './order-placed.message.js';

/** The app's side of ordering: fires OrderPlaced through the injected publisher. */
@Injectable()
export class OrdersService {
  constructor(private readonly publisher: MessagioPublisher) {}

  /** Queued: resolves once the deliveries are stored; a worker runs the listeners. */
  place(order: OrderPlaced): Promise<FireReceipt> {
    return this.publisher.fire(order);
  }

  /**
   * Sync: runs every listener here, in priority order (retries included), and
   * resolves once all of them are done; rejects with MessagioDispatchError if
   * one failed for good.
   */
  placeAndWait(order: OrderPlaced): Promise<FireReceipt> {
    return this.publisher.fire(order, { sync: true });
  }
}
