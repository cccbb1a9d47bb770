import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsString, ValidateNested } from 'class-validator';
import { Messagio, MessagioContext, MessagioPublisher, MessagioType, OnMessagio } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';

// Message constructors are the firing side's business: the worker rebuilds a
// message without calling its constructor, so a constructor that reads its
// arguments, or throws without them, never turns a fired message into poison.

interface SignupProps {
  email: string;
  name: string;
}

@MessagioType('ctor.user-signed-up')
class UserSignedUp extends Messagio {
  static constructed = 0;
  @IsString() email: string;
  @IsString() name: string;
  constructor(p: SignupProps) {
    super();
    UserSignedUp.constructed++;
    this.email = p.email;
    this.name = p.name;
  }
  greeting(): string {
    return `Hi ${this.name} <${this.email}>`;
  }
}

@MessagioType('ctor.coupon-issued')
class CouponIssued extends Messagio {
  @IsString() code: string;
  constructor(code: string) {
    super();
    if (!code) throw new Error('CouponIssued needs a code');
    this.code = code;
  }
}

class Item {
  @IsString() sku!: string;
  @IsInt() qty!: number;
  total(price: number): number {
    return price * this.qty;
  }
}

@MessagioType('ctor.order-placed')
class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  @ValidateNested({ each: true }) @Type(() => Item) items: Item[];
  @IsDate() @Type(() => Date) placedAt: Date;
  tags: string[] = [];
  note?: string;
  constructor(p: { orderId: string; items: Item[]; placedAt: Date; note?: string }) {
    super();
    this.orderId = p.orderId;
    this.items = p.items;
    this.placedAt = p.placedAt;
    this.note = p.note;
  }
}

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(UserSignedUp) signup(msg: UserSignedUp, ctx: MessagioContext) {
    this.recorder.record('signup', msg, ctx);
  }
  @OnMessagio(CouponIssued) coupon(msg: CouponIssued, ctx: MessagioContext) {
    this.recorder.record('coupon', msg, ctx);
  }
  @OnMessagio(OrderPlaced) order(msg: OrderPlaced, ctx: MessagioContext) {
    this.recorder.record('order', msg, ctx);
  }
}

const item = (sku: string, qty: number) => Object.assign(new Item(), { sku, qty });

/** Fires, and fails with the delivery's own error (not a timeout) if it did not complete. */
async function fireAndSettle(app: TestingModule, message: Messagio, sync: boolean): Promise<void> {
  const receipt = await app.get(MessagioPublisher).fire(message, { sync });
  const outcome = await receipt.wait({ timeout: 10_000 });
  expect(outcome.deliveries.map((d) => [d.status, d.error])).toEqual([['completed', undefined]]);
}

describe.each(TRANSPORTS)('message constructors through %s', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it.each([false, true])('a constructor that reads its arguments is not called on the worker (sync: %s)', async (sync) => {
    app = await createApp({ transport, providers: [Listeners] });
    const constructedBefore = UserSignedUp.constructed;
    await fireAndSettle(app, new UserSignedUp({ email: 'ada@example.com', name: 'Ada' }), sync);
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    const got = recorder.of('signup')[0]!.message as UserSignedUp;
    expect(got).toBeInstanceOf(UserSignedUp);
    expect(got.constructor).toBe(UserSignedUp);
    expect(got.greeting()).toBe('Hi Ada <ada@example.com>');
    expect({ ...got }).toEqual({ email: 'ada@example.com', name: 'Ada' });
    expect(UserSignedUp.constructed).toBe(constructedBefore + 1); // only the fire's own `new`
  });

  it.each([false, true])('a constructor that throws without arguments does not fail the delivery (sync: %s)', async (sync) => {
    app = await createApp({ transport, providers: [Listeners] });
    await fireAndSettle(app, new CouponIssued('WELCOME10'), sync);
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    const got = recorder.of('coupon')[0]!.message as CouponIssued;
    expect(got).toBeInstanceOf(CouponIssued);
    expect(got.code).toBe('WELCOME10');
  });

  it.each([false, true])('nested @Type classes and Dates are rebuilt; initialised properties travel in the payload (sync: %s)', async (sync) => {
    app = await createApp({ transport, providers: [Listeners] });
    const placedAt = new Date('2026-03-04T05:06:07.089Z');
    const tagged = new OrderPlaced({ orderId: 'o-1', items: [item('a', 2), item('b', 3)], placedAt, note: 'gift' });
    tagged.tags.push('priority');
    const plain = new OrderPlaced({ orderId: 'o-2', items: [], placedAt }); // tags = [] and note undefined at fire
    await fireAndSettle(app, tagged, sync);
    await fireAndSettle(app, plain, sync);
    const recorder = app.get(Recorder);
    await recorder.waitFor(2);
    const [first, second] = recorder.of('order').map((c) => c.message as OrderPlaced);
    expect(first).toBeInstanceOf(OrderPlaced);
    expect(first!.items[1]).toBeInstanceOf(Item);
    expect(first!.items[1]!.total(10)).toBe(30);
    expect(first!.placedAt).toBeInstanceOf(Date);
    expect(first!.placedAt.toISOString()).toBe(placedAt.toISOString());
    expect(first!.tags).toEqual(['priority']);
    expect(first!.note).toBe('gift');
    expect(second!.tags).toEqual([]); // the initialiser's value was set at fire, so it is in the payload
    expect(Object.keys(second!)).not.toContain('note'); // undefined at fire: absent, as JSON has it
  });
});
