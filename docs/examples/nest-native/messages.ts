import { IsInt, IsString, Min } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

@MessagioType('billing.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId!: string;
  @IsInt() @Min(1) amount!: number;
  constructor(orderId: string, amount: number) {
    super();
    this.orderId = orderId;
    this.amount = amount;
  }
}

@MessagioType('billing.invoice-due')
export class InvoiceDue extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

export class PaymentGatewayDown extends Error {
  override name = 'PaymentGatewayDown';
}
