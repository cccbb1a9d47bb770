import { IsInt, IsString } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

// The messages of this page's samples.
@MessagioType('orders.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  @IsInt() totalCents: number;
  constructor(orderId: string, totalCents: number) {
    super();
    this.orderId = orderId;
    this.totalCents = totalCents;
  }
}

@MessagioType('orders.invoice-requested')
export class InvoiceRequested extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
