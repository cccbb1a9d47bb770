import { Type } from 'class-transformer';
import { IsDate, IsInt, IsString, ValidateNested } from 'class-validator';
import { MessagioCodec } from '../../lib/message/codec.js';
import { Messagio, MessagioValidationError } from '../../lib/index.js';

class Line {
  @IsString() sku!: string;
  @IsInt() qty!: number;
  total(price: number): number {
    return price * this.qty;
  }
}

class Order extends Messagio {
  @IsString() id: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines: Line[];
  @IsDate() @Type(() => Date) at: Date;
  constructor(id: string, lines: Line[], at: Date) {
    super();
    this.id = id;
    this.lines = lines;
    this.at = at;
  }
}

class Bare extends Messagio {
  note = 'no decorators at all';
}

const line = (sku: string, qty: number) => Object.assign(new Line(), { sku, qty });
const codec = new MessagioCodec({ validate: true, validation: { forbidUnknownValues: false } });

describe('codec', () => {
  it('encodes own properties to JSON-safe data and rebuilds a real instance', async () => {
    const order = new Order('o1', [line('a', 2), line('b', 3)], new Date('2026-05-06T07:08:09.010Z'));
    const payload = await codec.encode(order, 'Order');
    const wire = JSON.parse(JSON.stringify(payload));
    expect(wire).toEqual({ id: 'o1', lines: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 3 }], at: '2026-05-06T07:08:09.010Z' });
    const back = await codec.decode(Order, 'Order', wire);
    expect(back).toBeInstanceOf(Order);
    expect(back.lines[1]).toBeInstanceOf(Line);
    expect(back.lines[1]!.total(10)).toBe(30);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.getTime()).toBe(order.at.getTime());
  });

  it('names every failing property, nested ones by path', async () => {
    const order = new Order('o1', [line('a', 2), line('b', 1.5)], new Date('invalid'));
    const error = (await codec.encode(order, 'Order').catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.properties).toEqual(['lines.1.qty', 'at']);
    expect(error.messageType).toBe('Order');
    expect(error.message).toContain('lines.1.qty (qty must be an integer number)');
  });

  it('validates again on decode', async () => {
    await expect(codec.decode(Order, 'Order', { id: 5, lines: [], at: 'x' })).rejects.toBeInstanceOf(MessagioValidationError);
  });

  it('accepts a message class without any constraint', async () => {
    await expect(codec.encode(new Bare(), 'Bare')).resolves.toEqual({ note: 'no decorators at all' });
  });

  it('skips validation when turned off', async () => {
    const off = new MessagioCodec({ validate: false, validation: {} });
    await expect(off.decode(Order, 'Order', { id: 5 })).resolves.toBeInstanceOf(Order);
  });
});
