import { Injectable, type Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsDate, IsInt, IsString, Min } from 'class-validator';
import { Messagio, MessagioContext, MessagioType, OnMessagio } from '../../lib/index.js';
import { MessagioTestingModule, type MessagioTestingModuleOptions } from '../../lib/testing/index.js';

@MessagioType('test.order-placed')
export class OrderPlaced extends Messagio {
  @IsString() orderId!: string;
  @IsInt() @Min(1) quantity!: number;

  constructor(orderId: string, quantity = 1) {
    super();
    this.orderId = orderId;
    this.quantity = quantity;
  }

  describe(): string {
    return `${this.orderId}×${this.quantity}`;
  }
}

@MessagioType('test.order-shipped')
export class OrderShipped extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessagioType('test.order-archived')
export class OrderArchived extends Messagio {
  @IsString() orderId!: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

/** Valid when fired, invalid once rebuilt: the Date travels as a string and has no @Type(() => Date). */
@MessagioType('test.stamped')
export class Stamped extends Messagio {
  @IsDate() at!: Date;
  constructor(at: Date) {
    super();
    this.at = at;
  }
}

export class TransientError extends Error {
  override name = 'TransientError';
}
export class FatalError extends Error {
  override name = 'FatalError';
}

/** What the fixture listeners did, with the harness's virtual time. */
export interface Seen {
  listener: string;
  type: string;
  attempt: number;
  at: number;
  instance: boolean;
}

@Injectable()
export class Journal {
  readonly seen: Seen[] = [];
  now: () => number = () => 0;
  note(ctx: MessagioContext, message: Messagio, cls: abstract new (...args: never[]) => Messagio): void {
    this.seen.push({ listener: ctx.listener, type: ctx.type, attempt: ctx.attempt, at: this.now(), instance: message instanceof cls });
  }
  of(listener: string): Seen[] {
    return this.seen.filter((s) => s.listener === listener);
  }
}

/** OrderPlaced → stock (priority 9), billing (5, retried on TransientError), audit (0); billing fires OrderShipped. */
@Injectable()
export class OrderListeners {
  static billingFailures = 0;
  private billed = new Map<string, number>();
  constructor(private readonly journal: Journal) {}

  @OnMessagio(OrderPlaced, { id: 'stock', priority: 9 })
  stock(order: OrderPlaced, ctx: MessagioContext) {
    this.journal.note(ctx, order, OrderPlaced);
  }

  @OnMessagio(OrderPlaced, { id: 'billing', retryOn: [TransientError], maxRetries: 5, retryDelay: 60_000, backoff: 'exponential' })
  async billing(order: OrderPlaced, ctx: MessagioContext) {
    this.journal.note(ctx, order, OrderPlaced);
    const n = (this.billed.get(ctx.deliveryId) ?? 0) + 1;
    this.billed.set(ctx.deliveryId, n);
    if (n <= OrderListeners.billingFailures) throw new TransientError(`gateway timeout ${n}`);
    await new OrderShipped(order.orderId).fire();
  }

  @OnMessagio([OrderPlaced, OrderShipped], { id: 'audit', priority: 0 })
  audit(message: OrderPlaced | OrderShipped, ctx: MessagioContext) {
    this.journal.note(ctx, message, message.constructor as typeof OrderPlaced);
  }
}

@Injectable()
export class ShippingListeners {
  constructor(private readonly journal: Journal) {}

  @OnMessagio(OrderShipped, { id: 'notify' })
  async notify(shipped: OrderShipped, ctx: MessagioContext) {
    this.journal.note(ctx, shipped, OrderShipped);
    await new OrderArchived(shipped.orderId).fire();
  }

  @OnMessagio(OrderArchived, { id: 'archive' })
  archive(archived: OrderArchived, ctx: MessagioContext) {
    this.journal.note(ctx, archived, OrderArchived);
  }
}

/** An app around MessagioTestingModule (no Redis), initialised. */
export async function testingApp(providers: Provider[], options: MessagioTestingModuleOptions = {}): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [MessagioTestingModule.forRoot(options)],
    providers: [Journal, ...providers],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}
