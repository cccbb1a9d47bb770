import { Exclude, Expose, Transform, Type, plainToInstance } from 'class-transformer';
import { IsDate, IsInt, IsString, ValidateNested, validate } from 'class-validator';
import { rebuildMessage } from '../../lib/message/codec.js';
import { unconstructedTarget } from '../../lib/message/unconstructed-target.js';
import { Messagio } from '../../lib/index.js';

// Classes whose constructors do nothing of their own: class-transformer on the
// class itself and on its unconstructed target must then agree exactly.

class Line {
  static constructed = 0;
  @IsString() sku!: string;
  @IsInt() qty!: number;
  constructor() {
    Line.constructed++;
  }
  total(price: number): number {
    return price * this.qty;
  }
}

class Order extends Messagio {
  @IsString() id!: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
  @ValidateNested() @Type(() => Line) main!: Line;
  @IsDate() @Type(() => Date) at!: Date;
  @Type(() => Number) count!: number;
}

class Renamed extends Messagio {
  @Expose({ name: 'wire_name' }) name!: string;
  other!: string;
}

class Hidden extends Messagio {
  visible!: string;
  @Exclude() secret!: string;
  @Exclude({ toPlainOnly: true }) inbound!: string;
}

@Exclude()
class ExposeOnly extends Messagio {
  @Expose() shown!: string;
  @Expose({ name: 'alias' }) aliased!: string;
  other!: string;
}

class ChildOfExposeOnly extends ExposeOnly {
  // No class-level decorator here: class-transformer exposes everything again.
  own!: string;
}

@Expose()
class ExposeAll extends Messagio {
  a!: string;
  @Exclude() b!: string;
}

class Transformed extends Messagio {
  @Transform(({ value }) => String(value).trim()) text!: string;
  @Transform(({ value }) => (value as number) * 2, { toClassOnly: true }) doubled!: number;
}

class ChildOfTransformed extends Transformed {
  @Transform(({ value }) => String(value).toUpperCase()) shout!: string;
}

abstract class Shape {
  kind!: string;
}
class Circle extends Shape {
  r!: number;
}
class Square extends Shape {
  side!: number;
}
class Drawing extends Messagio {
  @Type(() => Shape, { discriminator: { property: 'kind', subTypes: [{ value: Circle, name: 'circle' }, { value: Square, name: 'square' }] }, keepDiscriminatorProperty: true })
  shapes!: Shape[];
}

/** Prototypes and own entries, in order, all the way down. */
function shape(value: unknown): unknown {
  if (value instanceof Date) return ['Date', value.toISOString()];
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name: string } } | null;
  return [proto?.constructor?.name ?? null, Object.entries(value).map(([k, v]) => [k, shape(v)])];
}

const cases: Array<[string, new () => object, Record<string, unknown>]> = [
  [
    'nested @Type classes, arrays, Dates and implicit conversion',
    Order,
    { id: 'o1', lines: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 3 }], main: { sku: 'm', qty: 1 }, at: '2026-05-06T07:08:09.010Z', count: '4' },
  ],
  ['@Expose with a name', Renamed, { wire_name: 'w', name: 'ignored?', other: 'o' }],
  ['@Exclude on properties', Hidden, { visible: 'v', secret: 's', inbound: 'i' }],
  ['class-level @Exclude with exposed properties', ExposeOnly, { shown: 's', alias: 'a', other: 'o' }],
  ['a subclass of a class-level @Exclude class', ChildOfExposeOnly, { shown: 's', alias: 'a', other: 'o', own: 'x' }],
  ['class-level @Expose', ExposeAll, { a: 'a', b: 'b', c: 'c' }],
  ['@Transform, on the class and inherited', ChildOfTransformed, { text: ' t ', doubled: 2, shout: 'hey' }],
  ['a discriminated @Type', Drawing, { shapes: [{ kind: 'circle', r: 1 }, { kind: 'square', side: 2 }] }],
  ['keys in another order, and unknown keys', Order, { count: 1, zzz: 'unknown', id: 'x', lines: [] }],
];

describe('unconstructed target (class-transformer without the constructor)', () => {
  it.each(cases)('rebuilds exactly as plainToInstance on the class itself: %s', (_label, cls, plain) => {
    const copy = () => JSON.parse(JSON.stringify(plain)) as Record<string, unknown>;
    const expected = plainToInstance(cls, copy());
    const got = plainToInstance(unconstructedTarget(cls), copy());
    expect(Object.getPrototypeOf(got)).toBe(cls.prototype);
    expect(shape(got)).toEqual(shape(expected));
    expect(shape(rebuildMessage(cls as new () => Messagio, copy()))).toEqual(shape(expected));
  });

  it('applies the class-level strategy of the class (excludeAll keeps only exposed properties)', () => {
    const got = plainToInstance(unconstructedTarget(ExposeOnly), { shown: 's', alias: 'a', other: 'o' });
    expect({ ...got }).toEqual({ shown: 's', aliased: 'a' });
  });

  it('never calls the message constructor; nested @Type classes are constructed without arguments, as class-transformer does', () => {
    let constructed = 0;
    class Strict extends Messagio {
      @IsString() code: string;
      @ValidateNested() @Type(() => Line) line: Line;
      constructor(code: string, line: Line) {
        super();
        constructed++;
        if (!code) throw new Error('Strict needs a code');
        this.code = code;
        this.line = line;
      }
    }
    const lines = Line.constructed;
    const got = rebuildMessage(Strict, { code: 'c', line: { sku: 's', qty: 2 } });
    expect(constructed).toBe(0);
    expect(got).toBeInstanceOf(Strict);
    expect(got.constructor).toBe(Strict);
    expect(got.line).toBeInstanceOf(Line);
    expect(got.line.total(5)).toBe(10);
    expect(Line.constructed).toBe(lines + 1);
  });

  it('gives class-validator the class metadata (it looks it up by instance.constructor)', async () => {
    class Checked extends Messagio {
      @IsString() name: string;
      @IsInt() n: number;
      constructor(p: { name: string; n: number }) {
        super();
        this.name = p.name;
        this.n = p.n;
      }
    }
    expect(await validate(rebuildMessage(Checked, { name: 'ok', n: 1 }))).toEqual([]);
    const errors = await validate(rebuildMessage(Checked, { name: 5, n: 'x' }));
    expect(errors.map((e) => e.property)).toEqual(['name', 'n']);
  });

  it('keeps one target per class', () => {
    expect(unconstructedTarget(Order)).toBe(unconstructedTarget(Order));
    expect(unconstructedTarget(Order)).not.toBe(unconstructedTarget(Renamed));
  });
});
