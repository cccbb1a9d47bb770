import { IsInt, IsString, Min } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

@MessagioType('shop.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  @IsInt() @Min(1) quantity: number;

  constructor(orderId: string, quantity: number) {
    super();
    this.orderId = orderId;
    this.quantity = quantity;
  }
}
