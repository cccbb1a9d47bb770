import { IsString } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

// The message of this page's samples.
@MessagioType('orders.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
