import { Injectable, Logger } from '@nestjs/common';
import { MessagioBatchDispatchError, MessagioDispatchError, MessagioPublisher } from 'nestjs-messagio';
import { OrderPlaced } from '../firing/messages.js';

@Injectable()
export class Checkout {
  private readonly logger = new Logger(Checkout.name);
  constructor(private readonly publisher: MessagioPublisher) {}

  // #region sync
  async placeNow(order: OrderPlaced): Promise<void> {
    try {
      await this.publisher.fire(order, { sync: true }); // every listener ran, here, retries included
    } catch (error) {
      if (!(error instanceof MessagioDispatchError)) throw error;
      for (const failure of error.failures) {
        this.logger.error(`${failure.listener} failed after ${failure.attempts} attempts: ${failure.error.message}`);
      }
    }
  }
  // #endregion

  // #region sync-many
  async placeAll(orders: OrderPlaced[]): Promise<void> {
    try {
      await this.publisher.fireMany(orders, { sync: true }); // each message in turn, whatever failed before
    } catch (error) {
      if (!(error instanceof MessagioBatchDispatchError)) throw error;
      // error.failures: one MessagioDispatchError per failed message; error.receipts: every message's;
      // error.succeeded: the receipts of the messages whose listeners all completed.
      this.logger.warn(`${error.failures.length} of ${error.receipts.length} orders had a failing listener`);
    }
  }
  // #endregion
}
