import { Injectable, Logger } from '@nestjs/common';
import { MessagioModule, MessagioPublisher, MessagioValidationError } from 'nestjs-messagio';
import { OrderLine, OrderPlaced } from './order-placed.js';

// #region options
MessagioModule.forRoot({
  connection: { host: 'localhost', port: 6379 },
  validation: { whitelist: true, forbidNonWhitelisted: true }, // class-validator options, passed through
  // validate: false,                                           // or no validation at all
});
// #endregion

@Injectable()
export class Checkout {
  private readonly logger = new Logger(Checkout.name);
  constructor(private readonly publisher: MessagioPublisher) {}

  // #region invalid
  async place(orderId: string, email: string): Promise<void> {
    try {
      await this.publisher.fire(new OrderPlaced(orderId, email, [new OrderLine('KEYBOARD', 0)]));
    } catch (error) {
      if (!(error instanceof MessagioValidationError)) throw error;
      // Nothing was stored. error.properties: ['lines.0.quantity'];
      // error.violations: [{ property: 'lines.0.quantity', constraints: { min: 'quantity must not be less than 1' } }]
      this.logger.warn(`${error.messageType} refused: ${error.properties.join(', ')}`);
    }
  }
  // #endregion
}
