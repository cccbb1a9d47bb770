// The benchmark's message: about 200 bytes of JSON, with the kind of
// class-validator constraints a real message carries. The raw BullMQ code
// sends the very same plain object.
import { IsIn, IsInt, IsNumber, IsString, IsUUID, Length, Min } from 'class-validator';
import { Messagio, MessagioType } from '../../lib/index.js';

export interface OrderPayload {
  seq: number;
  orderId: string;
  customerId: string;
  sku: string;
  quantity: number;
  amount: number;
  currency: string;
  channel: string;
  note: string;
}

/** Delivered to one listener (scenarios 1, 2, 3, 5, 9). */
@MessagioType('bench.order-placed')
export class OrderPlaced extends Messagio implements OrderPayload {
  @IsInt() @Min(0) seq!: number;
  @IsUUID() orderId!: string;
  @IsString() @Length(1, 64) customerId!: string;
  @IsString() @Length(1, 32) sku!: string;
  @IsInt() @Min(1) quantity!: number;
  @IsNumber() amount!: number;
  @IsIn(['EUR', 'USD', 'GBP']) currency!: string;
  @IsIn(['web', 'mobile', 'store']) channel!: string;
  @IsString() note!: string;

  constructor(payload?: OrderPayload) {
    super();
    if (payload) Object.assign(this, payload);
  }
}

/** Delivered to three listeners (scenarios 4, 6). */
@MessagioType('bench.order-shipped')
export class OrderShipped extends OrderPlaced {}

/** Delivered to two listeners (scenario 8: 100,000 messages = 200,000 deliveries). */
@MessagioType('bench.order-paid')
export class OrderPaid extends OrderPlaced {}

const ORDER_ID = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

export function orderPayload(seq: number): OrderPayload {
  return {
    seq,
    orderId: ORDER_ID,
    customerId: `customer-${seq % 997}`,
    sku: `SKU-${(seq % 89).toString().padStart(5, '0')}`,
    quantity: 1 + (seq % 5),
    amount: 19.99 + (seq % 100),
    currency: 'EUR',
    channel: 'web',
    note: 'Leave the parcel at the front desk, please.',
  };
}

/** Size of one payload as JSON, for the README. */
export function payloadBytes(): number {
  return Buffer.byteLength(JSON.stringify(orderPayload(12345)));
}
