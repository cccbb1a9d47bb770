import { IsInt, IsString, Min } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

@MessagioType('orders.order-placed') // stable wire name (default: the class name)
export class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  @IsInt() @Min(1) totalCents: number;

  constructor(orderId: string, totalCents: number) {
    super();
    this.orderId = orderId;
    this.totalCents = totalCents;
  }
}
