import { Exclude, Expose, Transform, Type, instanceToPlain, plainToInstance } from 'class-transformer';
import { IsString } from 'class-validator';
import { flatToInstance, flatToPlain } from '../../lib/message/flat-messages.js';
import { unconstructedTarget } from '../../lib/message/unconstructed-target.js';
import { Messagio } from '../../lib/index.js';

class Flat extends Messagio {
  @IsString() name!: string;
  count = 3; // an initialiser: a constructor assignment, which a rebuild does not run
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

class NeedsArguments extends Messagio {
  static constructed = 0;
  label: string;
  constructor(p: { label: string }) {
    super();
    NeedsArguments.constructed++;
    this.label = p.label.trim();
  }
}

/**
 * Takes the shortcut, and gets the same prototype and own properties (in the
 * same order) as class-transformer on the target the codec hands it.
 */
function expectSameInstance<T extends object>(cls: new () => T, plain: Record<string, unknown>): void {
  const expected = plainToInstance(unconstructedTarget(cls), plain) as object;
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
  it('rebuilds a flat message exactly as class-transformer does', () => {
    const plain = { name: 'ada', count: 7, flag: false, extra: null };
    const fast = flatToInstance(Flat, plain);
    expect(fast).toBeInstanceOf(Flat);
    expect(fast!.shout()).toBe('ADA');
    expectSameInstance(Flat, plain);
    expectSameInstance(Flat, { name: 'only' });
    // No constructor ran: a property the payload lacks stays absent, initialiser or not.
    expect(Object.keys(flatToInstance(Flat, { name: 'only' })!)).toEqual(['name']);
  });

  it('never calls the constructor', () => {
    const before = NeedsArguments.constructed;
    const fast = flatToInstance(NeedsArguments, { label: 'x' });
    expect(fast).toBeInstanceOf(NeedsArguments);
    expect(fast!.constructor).toBe(NeedsArguments);
    expect({ ...fast }).toEqual({ label: 'x' });
    expect(NeedsArguments.constructed).toBe(before);
    expectSameInstance(NeedsArguments as unknown as new () => NeedsArguments, { label: 'x' });
  });

  it('encodes a flat message exactly as instanceToPlain does', () => {
    const message = Object.assign(new Flat(), { name: 'ada', flag: undefined });
    expect(flatToPlain(message)).toEqual(instanceToPlain(message));
    expect(Object.keys(flatToPlain(message)!)).toEqual(Object.keys(instanceToPlain(message)));
  });

  it('skips read-only accessors and methods like class-transformer, and uses setters', () => {
    expectSameInstance(WithAccessors, { readOnly: 'x', writable: 'y' });
    expect(flatToInstance(WithAccessors, { readOnly: 'x', writable: 'y' })!.writable).toBe('set:y');
    expectSameInstance(Flat, { shout: 'not a method' });
    expect(flatToInstance(Flat, { shout: 'not a method' })!.shout).toBe(Flat.prototype.shout);
    // A function-valued field is set by the constructor, which does not run: the payload's value is taken.
    expectSameInstance(WithMethodField, { callback: 'not a function' });
    expect(flatToInstance(WithMethodField, { callback: 'not a function' })!.callback).toBe('not a function');
  });

  it('decides each key once per class, and every later rebuild agrees with class-transformer too', () => {
    for (let round = 0; round < 3; round++) {
      // A field (set as is), a method of the class and one of Object.prototype (skipped), a read-only accessor and a setter.
      const plain = { name: `n${round}`, shout: 'x', toString: 'y', count: round };
      expectSameInstance(Flat, plain);
      expect(flatToInstance(Flat, plain)!.shout).toBe(Flat.prototype.shout);
      expect(flatToInstance(Flat, plain)!.name).toBe(`n${round}`);
      expectSameInstance(WithAccessors, { readOnly: 'x', writable: `w${round}` });
      expect(flatToInstance(WithAccessors, { readOnly: 'x', writable: `w${round}` })!.writable).toBe(`set:w${round}`);
    }
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
