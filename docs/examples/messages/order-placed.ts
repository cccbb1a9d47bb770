import { Type } from 'class-transformer';
import { IsDate, IsEmail, IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

// #region message
export class OrderLine {
  @IsString() sku: string;
  @IsInt() @Min(1) quantity: number;

  // Nested @Type classes are built by class-transformer with no arguments: the parameters are optional.
  constructor(sku = '', quantity = 1) {
    this.sku = sku;
    this.quantity = quantity;
  }
}

@MessagioType('orders.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  @IsEmail() email: string;
  @ValidateNested({ each: true }) @Type(() => OrderLine) lines: OrderLine[];
  @IsDate() @Type(() => Date) placedAt = new Date();

  // Only the code that fires calls the constructor: it may take and require anything.
  constructor(orderId: string, email: string, lines: OrderLine[]) {
    super();
    this.orderId = orderId;
    this.email = email;
    this.lines = lines;
  }

  // Methods work on the rebuilt message: it has the class's prototype.
  quantity(): number {
    return this.lines.reduce((sum, line) => sum + line.quantity, 0);
  }
}
// #endregion
