import { Exclude, Expose, Transform, Type, instanceToPlain, plainToInstance } from 'class-transformer';
import { IsString } from 'class-validator';
import { flatToInstance, flatToPlain } from '../../lib/message/flat-messages.js';
import { Messagio } from '../../lib/index.js';

class Flat extends Messagio {
  @IsString() name!: string;
  count = 3; // default from the constructor
  flag?: boolean;
  shout(): string {
    return this.name.toUpperCase();
  }
}

class WithAccessors extends Messagio {
  private inner = '';
  get readOnly(): string {
    return 'computed';
  }
  get writable(): string {
    return this.inner;
  }
  set writable(value: string) {
    this.inner = `set:${value}`;
  }
}

class WithMethodField extends Messagio {
  callback: () => string = () => 'kept';
}

class Typed extends Messagio {
  @Type(() => Date) at!: Date;
}

class Renamed extends Messagio {
  @Expose({ name: 'wire_name' }) name!: string;
}

class Hidden extends Messagio {
  visible = 'v';
  @Exclude() secret = 's';
}

@Exclude()
class ExposeOnly extends Messagio {
  @Expose() shown = 'x';
  other = 'y';
}

class Transformed extends Messagio {
  @Transform(({ value }) => String(value).trim()) text!: string;
}

class ChildOfTransformed extends Transformed {
  extra = 1;
}

/** Takes the shortcut, and gets the same prototype and own properties as class-transformer. */
function expectSameInstance<T extends object>(cls: new () => T, plain: Record<string, unknown>): void {
  const expected = plainToInstance(cls, plain) as object;
  const fast = flatToInstance(cls, plain);
  expect(fast).toBeDefined();
  expect(Object.getPrototypeOf(fast!)).toBe(Object.getPrototypeOf(expected));
  expect(entries(fast!)).toEqual(entries(expected));
}

/** Own entries; functions by kind (each instance has its own closures). */
function entries(value: object): Array<[string, unknown]> {
  return Object.entries(value).map(([k, v]) => [k, typeof v === 'function' ? 'function' : v]);
}

describe('flat messages (class-transformer shortcut)', () => {
  it('rebuilds a flat message exactly as plainToInstance does', () => {
    const plain = { name: 'ada', count: 7, flag: false, extra: null };
    const fast = flatToInstance(Flat, plain);
    expect(fast).toBeInstanceOf(Flat);
    expect(fast!.shout()).toBe('ADA');
    expectSameInstance(Flat, plain);
    expectSameInstance(Flat, { name: 'only' }); // constructor default kept
  });

  it('encodes a flat message exactly as instanceToPlain does', () => {
    const message = Object.assign(new Flat(), { name: 'ada', flag: undefined });
    expect(flatToPlain(message)).toEqual(instanceToPlain(message));
    expect(Object.keys(flatToPlain(message)!)).toEqual(Object.keys(instanceToPlain(message)));
  });

  it('skips read-only accessors and functions like class-transformer, and uses setters', () => {
    expectSameInstance(WithAccessors, { readOnly: 'x', writable: 'y' });
    expect(flatToInstance(WithAccessors, { readOnly: 'x', writable: 'y' })!.writable).toBe('set:y');
    expectSameInstance(WithMethodField, { callback: 'not a function' });
    expectSameInstance(Flat, { shout: 'not a method' });
  });

  it('never copies __proto__ or constructor keys itself', () => {
    const plain = JSON.parse('{"name":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(flatToInstance(Flat, plain)).toBeUndefined();
    expect(flatToInstance(Flat, { name: 'x', constructor: 'y' })).toBeUndefined();
  });

  it('leaves decorated classes, nested values, dates and functions to class-transformer', () => {
    expect(flatToInstance(Typed, { at: '2026-01-01T00:00:00.000Z' })).toBeUndefined();
    expect(flatToInstance(Renamed, { wire_name: 'x' })).toBeUndefined();
    expect(flatToInstance(Hidden, { visible: 'v', secret: 's' })).toBeUndefined();
    expect(flatToInstance(ExposeOnly, { shown: 'x', other: 'y' })).toBeUndefined();
    expect(flatToInstance(Transformed, { text: ' x ' })).toBeUndefined();
    expect(flatToInstance(ChildOfTransformed, { text: ' x ', extra: 2 })).toBeUndefined();
    expect(flatToInstance(Flat, { name: 'x', nested: { a: 1 } })).toBeUndefined();
    expect(flatToInstance(Flat, { name: 'x', list: [1] })).toBeUndefined();
    expect(flatToPlain(Object.assign(new Flat(), { at: new Date() }))).toBeUndefined();
    expect(flatToPlain(Object.assign(new Flat(), { fn: () => 1 }))).toBeUndefined();
    expect(flatToPlain(Object.assign(new Typed(), { at: 'not yet a date' }))).toBeUndefined();
  });

  it('still agrees with class-transformer for a subclass of a flat class', () => {
    class Sub extends Flat {
      more = 'm';
    }
    expectSameInstance(Sub, { name: 'n', more: 'x', count: 1 });
    const message = Object.assign(new Sub(), { name: 'n' });
    expect(flatToPlain(message)).toEqual(instanceToPlain(message));
  });
});
