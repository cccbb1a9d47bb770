import { IsInt, IsString, Min } from 'class-validator';
import { Messagio, MessagioType } from '../../lib/index.js';

/** A customer asked for their money back. Only the dashboard run fires it. */
@MessagioType('orders.refund-requested', { version: 1 })
export class RefundRequested extends Messagio {
  @IsString() orderId!: string;
  @IsInt() @Min(1) amountCents!: number;

  constructor(orderId: string, amountCents: number) {
    super();
    this.orderId = orderId;
    this.amountCents = amountCents;
  }
}
