import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsDate, IsEmail, IsString, ValidateNested } from 'class-validator';
import { Messagio, MessagioType, MessagioUpcast } from '../../lib/index.js';
import { OrderLine } from './order-line.js';

/**
 * A customer placed an order. Validated with class-validator when fired and
 * again on the worker; `@MessagioType` gives it a wire name that survives
 * renaming the class, and its schema version: version 1 called the
 * customer's address `email`, and a job it stored is upcast on the worker.
 */
@MessagioType('orders.order-placed', { version: 2 })
@MessagioUpcast(1, ({ email, ...rest }) => ({ ...rest, customerEmail: email }))
export class OrderPlaced extends Messagio {
  @IsString() orderId!: string;
  @IsEmail() customerEmail!: string;

  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => OrderLine)
  lines!: OrderLine[];

  @IsDate() @Type(() => Date) placedAt!: Date;

  constructor(orderId: string, customerEmail: string, lines: OrderLine[], placedAt = new Date()) {
    super();
    this.orderId = orderId;
    this.customerEmail = customerEmail;
    this.lines = lines;
    this.placedAt = placedAt;
  }

  totalCents(): number {
    return this.lines.reduce((sum, line) => sum + line.subtotalCents(), 0);
  }
}
