import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Messagio, MessagioType, MessagioUpcast } from 'nestjs-messagio';

export class Parcel {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

/** Version 2: version 1 called the carrier `courier`. */
@MessagioType('shipping.parcel-sent', { version: 2 })
@MessagioUpcast(1, ({ courier, ...rest }) => ({ ...rest, carrier: courier }))
export class ParcelSent extends Messagio {
  @IsString() orderId!: string;
  @IsIn(['dhl', 'ups']) carrier!: string;
  @ValidateNested({ each: true }) @Type(() => Parcel) parcels!: Parcel[];
  @IsOptional() @IsString() note?: string;
}

@MessagioType('shipping.parcel-lost', { version: 1 })
export class ParcelLost extends Messagio {
  @IsString() orderId!: string;
}
