import { IsString } from 'class-validator';
import { Messagio, MessagioType } from '../../lib/index.js';

/** Payment went through. Fired by PaymentListener while it handles OrderPlaced. */
@MessagioType('orders.order-confirmed', { version: 1 })
export class OrderConfirmed extends Messagio {
  @IsString() orderId!: string;
  @IsString() paymentRef!: string;

  constructor(orderId: string, paymentRef: string) {
    super();
    this.orderId = orderId;
    this.paymentRef = paymentRef;
  }
}
