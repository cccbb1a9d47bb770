import { IsInt, IsString, Min } from 'class-validator';

/** One line of an order. Nested in OrderPlaced; rebuilt as a real instance on the worker. */
export class OrderLine {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
  @IsInt() @Min(0) unitPriceCents!: number;

  // class-transformer calls constructors with no arguments when it rebuilds a
  // payload, so constructors only assign.
  constructor(sku: string, quantity: number, unitPriceCents: number) {
    this.sku = sku;
    this.quantity = quantity;
    this.unitPriceCents = unitPriceCents;
  }

  subtotalCents(): number {
    return this.quantity * this.unitPriceCents;
  }
}
