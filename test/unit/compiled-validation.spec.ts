import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  Length,
  Min,
  Validate,
  ValidateNested,
  ValidatePromise,
  validate,
  Validator,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  type ValidatorOptions,
} from 'class-validator';
import { MessagioCodec } from '../../lib/message/codec.js';
import { CompiledValidation } from '../../lib/message/validation/compiled-validation.js';
import { INVALID, UNDECIDED, VALID } from '../../lib/message/validation/validation-verdict.js';
import { Messagio, MessagioValidationError } from '../../lib/index.js';

const DEFAULTS: ValidatorOptions = { forbidUnknownValues: false };
/** Fresh options: codecs given the same options object share their compiled checks. */
const defaults = (): ValidatorOptions => ({ ...DEFAULTS });

/** Counts its calls: how many times something validated the property. */
@ValidatorConstraint({ name: 'counted' })
class Counted implements ValidatorConstraintInterface {
  static calls = 0;
  validate(value: unknown): boolean {
    Counted.calls++;
    return typeof value === 'string' && value.length > 0;
  }
}

class Line {
  @IsString() sku!: string;
  @IsInt() @Min(1) qty!: number;
}

class Order extends Messagio {
  @Validate(Counted) id!: string;
  @IsIn(['web', 'store']) channel!: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
}

const line = (sku: unknown, qty: unknown) => Object.assign(new Line(), { sku, qty });
const order = (id: unknown, channel: unknown, lines: Line[]) => Object.assign(new Order(), { id, channel, lines });

@ValidatorConstraint({ name: 'remoteCheck', async: true })
class RemoteCheck implements ValidatorConstraintInterface {
  async validate(value: unknown): Promise<boolean> {
    return value === 'known';
  }
}
class WithAsync extends Messagio {
  @Validate(RemoteCheck) ref!: string;
}

/** Declared sync, but answers with a promise (a rejected one for 'down'). */
@ValidatorConstraint({ name: 'sneakyAsync' })
class SneakyAsync implements ValidatorConstraintInterface {
  validate(value: unknown): Promise<boolean> {
    return value === 'down' ? Promise.reject(new Error('remote down')) : Promise.resolve(value === 'ok');
  }
}
class WithSneaky extends Messagio {
  @Validate(SneakyAsync) code!: string;
}

class WithPromise extends Messagio {
  @ValidatePromise() @IsString() later!: Promise<string> | string;
}

/** Throws on one value: whatever validate() does then, the codec does too. */
@ValidatorConstraint({ name: 'fragile' })
class Fragile implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (value === 'boom') throw new RangeError('fragile constraint broke');
    return true;
  }
}
class WithFragile extends Messagio {
  @Validate(Fragile) text!: string;
}

/** Says no the first time, yes afterwards: the compiled check and validate() disagree once. */
@ValidatorConstraint({ name: 'flaky' })
class Flaky implements ValidatorConstraintInterface {
  static calls = 0;
  validate(): boolean {
    return Flaky.calls++ > 0;
  }
}
class WithFlaky extends Messagio {
  @Validate(Flaky) any!: string;
}

class Loose extends Messagio {
  @IsString() kept!: string;
  extra?: string;
}

/** A decorated property named like an Object.prototype member: class-validator's validate() throws on it. */
class Odd extends Messagio {}
IsString()(Odd.prototype, 'valueOf');

class Bench extends Messagio {
  @IsString() @Length(1, 8) name!: string;
}

describe('compiled validation in the codec', () => {
  let debug: jest.SpiedFunction<Logger['debug']>;
  let warn: jest.SpiedFunction<Logger['warn']>;
  let validatorRuns: jest.SpiedFunction<Validator['validate']>;
  beforeEach(() => {
    Counted.calls = 0;
    debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    // Calls through: counts how often class-validator's validate() runs.
    validatorRuns = jest.spyOn(Validator.prototype, 'validate');
  });
  afterEach(() => jest.restoreAllMocks());

  const codec = () => new MessagioCodec({ validate: true, validation: defaults() });

  it('settles a valid message without class-validator: each constraint runs once, validate() never', async () => {
    const valid = order('o-1', 'web', [line('a', 1), line('b', 2)]);
    const subject = codec();
    await expect(subject.check(valid, 'Order')).resolves.toBeUndefined();
    await expect(subject.check(valid, 'Order')).resolves.toBeUndefined();
    expect(Counted.calls).toBe(2);
    expect(validatorRuns).not.toHaveBeenCalled();
  });

  it('rejects an invalid message with the very MessagioValidationError validate() gives', async () => {
    const invalid = order('', 'fax', [line('a', 1), line(7, 0)]);
    const reference = new MessagioValidationError('Order', await validate(invalid, DEFAULTS));
    validatorRuns.mockClear();
    const error = (await codec().check(invalid, 'Order').catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.message).toBe(reference.message);
    expect(error.violations).toEqual(reference.violations);
    expect(error.properties).toEqual(['id', 'channel', 'lines.1.sku', 'lines.1.qty']);
    expect(validatorRuns).toHaveBeenCalledTimes(1);
  });

  it('compiles a class once, at prepare() when called, and says so at debug level', async () => {
    const subject = codec();
    subject.prepare(Order);
    expect(debug).toHaveBeenCalledWith('Validation of Order: compiled check (3 properties)');
    await subject.check(order('o', 'web', []), 'Order');
    await subject.check(order('o', 'store', []), 'Order');
    expect(debug.mock.calls.filter(([line]) => String(line).startsWith('Validation of Order'))).toHaveLength(1);
  });

  it('codecs given the same options (the publisher and the dispatcher) share one compiled check per class', async () => {
    const validation = defaults();
    const publisherSide = new MessagioCodec({ validate: true, validation });
    const workerSide = new MessagioCodec({ validate: true, validation });
    await publisherSide.check(order('o', 'web', []), 'Order');
    await workerSide.check(order('o', 'web', []), 'Order');
    expect(debug.mock.calls.filter(([line]) => String(line).startsWith('Validation of Order'))).toHaveLength(1);
    expect(validatorRuns).not.toHaveBeenCalled();
  });

  it('an async constraint: the class uses validate(), decided at compile time, same results', async () => {
    const compiled = new CompiledValidation(DEFAULTS);
    compiled.prepare(WithAsync);
    expect(debug).toHaveBeenCalledWith("Validation of WithAsync: class-validator's validate() (ref: async constraint 'remoteCheck')");
    expect(compiled.verdict(Object.assign(new WithAsync(), { ref: 'known' }))).toBe(UNDECIDED);

    const subject = codec();
    await expect(subject.check(Object.assign(new WithAsync(), { ref: 'known' }), 'WithAsync')).resolves.toBeUndefined();
    const error = (await subject.check(Object.assign(new WithAsync(), { ref: 'other' }), 'WithAsync').catch((e: unknown) => e)) as MessagioValidationError;
    expect(error.violations).toEqual([{ property: 'ref', constraints: { remoteCheck: '' } }]);
    expect(validatorRuns).toHaveBeenCalledTimes(2);
  });

  it('@ValidatePromise: the class uses validate()', async () => {
    const subject = codec();
    subject.prepare(WithPromise);
    expect(debug).toHaveBeenCalledWith("Validation of WithPromise: class-validator's validate() (later: metadata type 'promiseValidation' is not compiled)");
    await expect(subject.check(Object.assign(new WithPromise(), { later: Promise.resolve('text') }), 'WithPromise')).resolves.toBeUndefined();
    await expect(subject.check(Object.assign(new WithPromise(), { later: Promise.resolve(5) }), 'WithPromise')).rejects.toBeInstanceOf(MessagioValidationError);
  });

  it('a sync constraint answering a promise: that call and every later one go to validate(), nothing left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // The compiled check meets the rejected promise first; validate() then gets its own.
      const subject = codec();
      await expect(subject.check(Object.assign(new WithSneaky(), { code: 'down' }), 'WithSneaky')).rejects.toThrow('remote down');
      expect(debug).toHaveBeenCalledWith("Validation of WithSneaky: class-validator's validate() from now on (constraint 'sneakyAsync' returned a promise)");
      await expect(subject.check(Object.assign(new WithSneaky(), { code: 'ok' }), 'WithSneaky')).resolves.toBeUndefined();
      await expect(subject.check(Object.assign(new WithSneaky(), { code: 'no' }), 'WithSneaky')).rejects.toBeInstanceOf(MessagioValidationError);
      expect(validatorRuns).toHaveBeenCalledTimes(3);

      const fresh = new CompiledValidation(DEFAULTS);
      expect(fresh.verdict(Object.assign(new WithSneaky(), { code: 'down' }))).toBe(UNDECIDED);
      expect(fresh.verdict(Object.assign(new WithSneaky(), { code: 'ok' }))).toBe(UNDECIDED);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('whitelist: every class uses validate(), which strips undecorated properties as before', async () => {
    const validation: ValidatorOptions = { ...DEFAULTS, whitelist: true };
    const compiled = new CompiledValidation(validation);
    compiled.prepare(Loose);
    expect(debug).toHaveBeenCalledWith("Validation of Loose: class-validator's validate() (validator option whitelist)");
    const message = Object.assign(new Loose(), { kept: 'yes', extra: 'stripped' });
    await new MessagioCodec({ validate: true, validation }).check(message, 'Loose');
    expect(message).toEqual(Object.assign(new Loose(), { kept: 'yes' }));
    expect(validatorRuns).toHaveBeenCalledTimes(1);
  });

  it('stopAtFirstError only shapes the errors: the class is compiled, the errors are validate()’s', async () => {
    const validation: ValidatorOptions = { ...DEFAULTS, stopAtFirstError: true };
    const subject = new MessagioCodec({ validate: true, validation });
    await expect(subject.check(Object.assign(new Bench(), { name: 'ok' }), 'Bench')).resolves.toBeUndefined();
    expect(validatorRuns).not.toHaveBeenCalled();
    const invalid = Object.assign(new Bench(), { name: 5 });
    const error = (await subject.check(invalid, 'Bench').catch((e: unknown) => e)) as MessagioValidationError;
    expect(error.violations).toEqual(new MessagioValidationError('Bench', await validate(invalid, validation)).violations);
    expect(error.properties).toEqual(['name']);
    expect(Object.keys(error.violations[0]!.constraints)).toHaveLength(1); // stopped at the first
  });

  it('a property named like an Object.prototype member: validate() runs, and throws as before', async () => {
    expect(() => validate(new Odd(), DEFAULTS)).toThrow(TypeError);
    await expect(codec().check(new Odd(), 'Odd')).rejects.toBeInstanceOf(TypeError);
    expect(debug).toHaveBeenCalledWith("Validation of Odd: class-validator's validate() (property 'valueOf' shadows Object.prototype)");
  });

  it('a constraint that throws: the codec rejects with what validate() throws', async () => {
    // (validate() itself throws synchronously here; the codec's check rejects, as before.)
    expect(() => validate(Object.assign(new WithFragile(), { text: 'boom' }), DEFAULTS)).toThrow(new RangeError('fragile constraint broke'));
    await expect(codec().check(Object.assign(new WithFragile(), { text: 'boom' }), 'WithFragile')).rejects.toThrow(new RangeError('fragile constraint broke'));
    await expect(codec().check(Object.assign(new WithFragile(), { text: 'fine' }), 'WithFragile')).resolves.toBeUndefined();
  });

  it('never rejects a message validate() accepts: a disagreement is accepted and reported once', async () => {
    Flaky.calls = 0;
    const subject = codec();
    expect(new CompiledValidation(DEFAULTS).verdict(Object.assign(new WithFlaky(), { any: 'x' }))).toBe(INVALID);
    Flaky.calls = 0;
    await expect(subject.check(Object.assign(new WithFlaky(), { any: 'x' }), 'WithFlaky')).resolves.toBeUndefined();
    Flaky.calls = 0;
    await expect(subject.check(Object.assign(new WithFlaky(), { any: 'y' }), 'WithFlaky')).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^Validation of WithFlaky: the compiled check rejected a message that class-validator's validate\(\) accepts/);
  });

  it('validation off: no check compiled, nothing called', async () => {
    const off = new MessagioCodec({ validate: false, validation: DEFAULTS });
    off.prepare(Order);
    await expect(off.check(order('', 'fax', []), 'Order')).resolves.toBeUndefined();
    expect(Counted.calls).toBe(0);
    expect(debug).not.toHaveBeenCalled();
    expect(validatorRuns).not.toHaveBeenCalled();
  });

  it('where code generation is disallowed, classes use validate() (built package, plain Node)', () => {
    // `npm test` builds first: this runs the codec from dist/ under the flag.
    const script = `
      import 'reflect-metadata';
      import { IsInt } from 'class-validator';
      import { Logger } from '@nestjs/common';
      import { MessagioCodec } from './dist/message/codec.js';
      const lines = [];
      Logger.overrideLogger({ log() {}, error() {}, warn() {}, debug: (m) => lines.push(m), verbose() {} });
      class Counter {}
      IsInt()(Counter.prototype, 'n');
      const codec = new MessagioCodec({ validate: true, validation: { forbidUnknownValues: false } });
      const valid = await codec.check(Object.assign(new Counter(), { n: 1 }), 'Counter').then(() => true, () => false);
      const invalid = await codec.check(Object.assign(new Counter(), { n: 1.5 }), 'Counter').then(() => 'accepted', (e) => e.name);
      console.log(JSON.stringify({ valid, invalid, lines }));
    `;
    const child = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      valid: true,
      invalid: 'MessagioValidationError',
      lines: ["Validation of Counter: class-validator's validate() (compiling failed: Code generation from strings disallowed for this context)"],
    });
  });

  it('verdicts: VALID, INVALID, and both sides of a nested collection', () => {
    const compiled = new CompiledValidation(DEFAULTS);
    expect(compiled.verdict(order('o', 'web', [line('a', 1)]))).toBe(VALID);
    expect(compiled.verdict(order('o', 'web', [line('a', 0)]))).toBe(INVALID);
    expect(compiled.verdict(Object.assign(order('o', 'web', []), { lines: [null] }))).toBe(INVALID);
    expect(compiled.verdict(Object.assign(order('o', 'web', []), { lines: 'not nested' }))).toBe(INVALID);
  });
});
