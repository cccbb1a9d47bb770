import { IsEmail, IsIn, IsInt, IsString, Min } from 'class-validator';
import { Messagio, MessagioType, MessagioUpcast } from 'nestjs-messagio';

// #region version-2
// Version 1 had `email` and a `total` in euros. Version 2 renames the one and counts cents:
// a worker on version 2 upcasts every version 1 payload it finds before rebuilding it.
@MessagioType('orders.order-placed', { version: 2 })
@MessagioUpcast(1, ({ email, total, ...rest }) => ({ ...rest, customerEmail: email, totalCents: Math.round((total as number) * 100) }))
export class OrderPlaced extends Messagio {
  @IsString() orderId!: string;
  @IsEmail() customerEmail!: string;
  @IsInt() @Min(0) totalCents!: number;
}
// #endregion

// #region version-3
// Version 3 adds a required currency: one more upcaster, next to the first. A version 1
// payload goes through both, in order; a version 2 one through the second only.
@MessagioType('orders.order-placed', { version: 3 })
@MessagioUpcast(1, ({ email, total, ...rest }) => ({ ...rest, customerEmail: email, totalCents: Math.round((total as number) * 100) }))
@MessagioUpcast(2, (payload) => ({ ...payload, currency: 'EUR' }))
export class OrderPlacedV3 extends Messagio {
  @IsString() orderId!: string;
  @IsEmail() customerEmail!: string;
  @IsInt() @Min(0) totalCents!: number;
  @IsIn(['EUR', 'USD']) currency!: string;
}
// #endregion
