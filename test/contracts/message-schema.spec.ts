// JSON Schema of message classes, from their class-validator and class-transformer metadata:
// every decorator the project's tests, sample and benchmark messages use, nested classes,
// arrays, enums, optional properties and dates; what JSON Schema cannot say is noted, by name.
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsDate,
  IsEmail,
  IsEnum,
  IsIn,
  isEnum,
  IsInt,
  IsLowercase,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatePromise,
  ValidatorConstraint,
  getMetadataStorage,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { UNEXPRESSED } from '../../lib/contracts/index.js';
import { messageSchema } from '../../lib/contracts/message-schema.js';
import { Messagio, MessagioFault, type MessagioClass } from '../../lib/index.js';
import { OrderPlaced as BenchOrderPlaced } from '../../bench/lib/messages.js';
import { OrderPlaced as SampleOrderPlaced } from '../../sample/orders/order-placed.message.js';
import { CustomerRegistered } from '../e2e/fixtures/messages.js';

const schemaOf = (cls: MessagioClass, name = cls.name, version = 1) => messageSchema({ name, cls, version });
const propertiesOf = (cls: MessagioClass) => schemaOf(cls).properties as Record<string, Record<string, unknown>>;

describe('message schemas: the decorators messages use', () => {
  it('types, formats, lengths, bounds and enums (the benchmark’s message)', () => {
    expect(schemaOf(BenchOrderPlaced, 'bench.order-placed')).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      'x-messagio-type': 'bench.order-placed',
      'x-messagio-version': 1,
      type: 'object',
      title: 'OrderPlaced',
      properties: {
        seq: { type: 'integer', minimum: 0 },
        orderId: { type: 'string', format: 'uuid' },
        customerId: { type: 'string', minLength: 1, maxLength: 64 },
        sku: { type: 'string', minLength: 1, maxLength: 32 },
        quantity: { type: 'integer', minimum: 1 },
        amount: { type: 'number' },
        currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
        channel: { type: 'string', enum: ['web', 'mobile', 'store'] },
        note: { type: 'string' },
      },
      required: ['seq', 'orderId', 'customerId', 'sku', 'quantity', 'amount', 'currency', 'channel', 'note'],
    });
  });

  it('nested @Type classes in an array, @ArrayNotEmpty, @IsEmail and dates (the sample’s OrderPlaced)', () => {
    expect(schemaOf(SampleOrderPlaced, 'orders.order-placed', 2)).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      'x-messagio-type': 'orders.order-placed',
      'x-messagio-version': 2,
      type: 'object',
      title: 'OrderPlaced',
      properties: {
        orderId: { type: 'string' },
        customerEmail: { type: 'string', format: 'email' },
        lines: { type: 'array', items: { $ref: '#/definitions/OrderLine' }, minItems: 1 },
        placedAt: { type: 'string', format: 'date-time' },
      },
      required: ['orderId', 'customerEmail', 'lines', 'placedAt'],
      definitions: {
        OrderLine: {
          type: 'object',
          title: 'OrderLine',
          properties: {
            sku: { type: 'string' },
            quantity: { type: 'integer', minimum: 1 },
            unitPriceCents: { type: 'integer', minimum: 0 },
          },
          required: ['sku', 'quantity', 'unitPriceCents'],
        },
      },
    });
  });

  it('a nested object, a date, and an optional property that may also be null (the e2e fixture)', () => {
    const schema = schemaOf(CustomerRegistered);
    expect(schema.properties).toEqual({
      name: { type: 'string' },
      address: { $ref: '#/definitions/Address' },
      registeredAt: { type: 'string', format: 'date-time' },
      age: { type: ['integer', 'null'], minimum: 0 },
    });
    expect(schema.required).toEqual(['name', 'address', 'registeredAt']); // age is @IsOptional
    expect(schema.definitions).toEqual({
      Address: { type: 'object', title: 'Address', properties: { city: { type: 'string' }, zip: { type: 'string' } }, required: ['city', 'zip'] },
    });
  });

  it('@IsObject, @IsOptional without a type check, and an optional nested class', () => {
    class Detail {
      @IsString() text!: string;
    }
    class Mixed extends Messagio {
      @IsObject() tree!: Record<string, unknown>;
      @IsOptional() anything?: unknown;
      @IsOptional() @ValidateNested() @Type(() => Detail) detail?: Detail;
      @IsNumber() amount!: number;
    }
    expect(propertiesOf(Mixed)).toEqual({
      tree: { type: 'object' },
      anything: {}, // any value, null included: what @IsOptional alone accepts
      detail: { anyOf: [{ $ref: '#/definitions/Detail' }, { type: 'null' }] },
      amount: { type: 'number' },
    });
    expect(schemaOf(Mixed).required).toEqual(['tree', 'amount']);
  });

  it('names properties as they travel: @Expose({ name }) renames, @Exclude() leaves out, a class-level @Exclude() keeps only @Expose()d ones', () => {
    class Renamed extends Messagio {
      @Expose({ name: 'wire_name' }) @IsString() name!: string;
      @Exclude() @IsString() secret!: string;
      @IsString() kept!: string;
    }
    expect(propertiesOf(Renamed)).toEqual({ wire_name: { type: 'string' }, kept: { type: 'string' } });
    expect(schemaOf(Renamed).required).toEqual(['wire_name', 'kept']);

    @Exclude()
    class Selected extends Messagio {
      @Expose() @IsString() shown!: string;
      @IsString() hidden!: string;
    }
    expect(propertiesOf(Selected)).toEqual({ shown: { type: 'string' } });
  });

  it('a self-referring class refers to the root', () => {
    class Category extends Messagio {
      @IsString() name!: string;
      @ValidateNested({ each: true }) @Type(() => Category) children!: Category[];
    }
    expect(propertiesOf(Category).children).toEqual({ type: 'array', items: { $ref: '#' } });
    expect(schemaOf(Category).definitions).toBeUndefined();
  });

  it('MessagioFault, the library’s own message', () => {
    expect(schemaOf(MessagioFault, 'messagio.fault').required).toEqual(['type', 'messageId', 'traceId', 'listener', 'attempts', 'error', 'payload']);
    expect(propertiesOf(MessagioFault).attempts).toEqual({ type: 'integer' });
    expect(propertiesOf(MessagioFault).raw).toEqual({ type: ['string', 'null'] });
  });
});

describe('message schemas: what JSON Schema cannot say is noted, never loosened in silence', () => {
  @ValidatorConstraint({ name: 'counted' })
  class Counted implements ValidatorConstraintInterface {
    validate(value: unknown): boolean {
      return typeof value === 'string' && value.length % 2 === 0;
    }
  }

  it('a custom @Validate constraint, by its name and class', () => {
    class Custom extends Messagio {
      @IsString() @Validate(Counted) code!: string;
    }
    expect(propertiesOf(Custom).code).toEqual({
      type: 'string',
      [UNEXPRESSED]: { 'counted (Counted)': 'a custom constraint, checked by its own code on the worker' },
    });
  });

  it('@ValidateIf, @ValidatePromise, a check reduced to its type (@IsLowercase), an @IsIn of mixed types', () => {
    class Hard extends Messagio {
      @ValidateIf((o: Hard) => o.code !== undefined) @IsString() code?: string;
      @ValidatePromise() @IsString() later!: string;
      @IsLowercase() slug!: string;
      @IsIn(['a', 1]) mixed!: string | number;
    }
    expect(propertiesOf(Hard)).toEqual({
      code: { type: 'string', [UNEXPRESSED]: { validateIf: 'validated only when its @ValidateIf condition holds' } },
      later: {
        type: 'string',
        [UNEXPRESSED]: { promiseValidation: 'a promise, validated once resolved: the payload holds what JSON made of it' },
      },
      slug: { type: 'string', [UNEXPRESSED]: { isLowercase: 'only the JSON type of this constraint can be expressed' } },
      mixed: { [UNEXPRESSED]: { isIn: 'this constraint has no JSON Schema form for these values' } },
    });
  });

  it('a @Transform (the wire value is not the validated one), a date without @Type, nested validation without a class', () => {
    class Loose extends Messagio {
      @Transform(({ value }) => String(value).trim()) @IsString() text!: string;
      @IsDate() at!: Date;
      @ValidateNested() unknownShape!: object;
    }
    expect(propertiesOf(Loose)).toEqual({
      text: {
        type: 'string',
        [UNEXPRESSED]: { transform: 'a @Transform function converts this value between the payload and the instance; the schema describes the instance, as validated' },
      },
      at: {
        type: 'string',
        format: 'date-time',
        [UNEXPRESSED]: { isDate: 'no @Type(() => Date): the stored ISO string stays a string on the worker, and @IsDate rejects it' },
      },
      unknownShape: { [UNEXPRESSED]: { nestedValidation: 'nested validation without a @Type(() => Class): the nested shape is not known' } },
    });
  });

  it('an @Expose()d property without any check travels unvalidated, and says so', () => {
    class Partly extends Messagio {
      @IsString() checked!: string;
      @Expose() free!: string;
    }
    expect(propertiesOf(Partly).free).toEqual({ [UNEXPRESSED]: { unvalidated: 'no class-validator decorator: this property travels without any check' } });
    expect(schemaOf(Partly).required).toEqual(['checked']);
  });

  it('@Length and @Min keep the type their other checks give (integer, not number)', () => {
    class Bounds extends Messagio {
      @Min(1) @IsInt() count!: number;
      @Length(2, 4) @IsString() code!: string;
      @Min(0) bare!: number;
      @ArrayNotEmpty() @IsUUID('4', { each: true }) ids!: string[];
      @IsEmail() email!: string;
    }
    expect(propertiesOf(Bounds)).toEqual({
      count: { type: 'integer', minimum: 1 },
      code: { type: 'string', minLength: 2, maxLength: 4 },
      bare: { type: 'number', minimum: 0 }, // class-validator's min() accepts numbers only
      ids: { type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1 },
      email: { type: 'string', format: 'email' },
    });
  });

  it('@IsBoolean, @Max with @Min, and @IsEnum of a string enum and of a numeric enum (what class-validator accepts, exactly)', () => {
    enum Tier {
      Free = 'free',
      Pro = 'pro',
    }
    enum Level {
      Low = 1,
      High = 2,
    }
    class Flags extends Messagio {
      @IsBoolean() active!: boolean;
      @IsInt() @Min(1) @Max(10) score!: number;
      @IsEnum(Tier) tier!: Tier;
      @IsEnum(Level) level!: Level;
    }
    expect(propertiesOf(Flags)).toEqual({
      active: { type: 'boolean' },
      score: { type: 'integer', minimum: 1, maximum: 10 },
      tier: { type: 'string', enum: ['free', 'pro'] },
      // What class-validator accepts: a numeric enum's values and its reverse mapping's names.
      level: { enum: ['Low', 'High', 1, 2] },
    });
    expect(schemaOf(Flags).required).toEqual(['active', 'score', 'tier', 'level']);
    // The schema's enum is the set class-validator's @IsEnum accepts.
    for (const value of ['Low', 1, 2]) expect(isEnum(value, Level)).toBe(true);
    expect(isEnum(3, Level)).toBe(false);
  });
});

describe('message schemas: no constraint of this file’s message classes is dropped in silence', () => {
  // Every class with class-validator metadata loaded here: the sample's, the benchmark's,
  // the e2e fixtures', MessagioFault and the classes above. A property whose checks are
  // more than @IsOptional / @Allow must come out with a keyword or a note.
  it('each checked property has a schema keyword or an x-messagio-unexpressed note', () => {
    const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<object, Array<{ propertyName: string; name?: string; type: string }>> };
    const silent: string[] = [];
    let checked = 0;
    for (const [target, metas] of storage.validationMetadatas) {
      if (!((target as { prototype?: unknown }).prototype instanceof Messagio)) continue;
      const properties = (messageSchema({ name: 'x', cls: target as MessagioClass, version: 1 }).properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const property of new Set(metas.map((m) => m.propertyName))) {
        const own = metas.filter((m) => m.propertyName === property);
        if (own.every((m) => m.name === 'isOptional' || m.type === 'whitelistValidation')) continue;
        const schema = properties[property];
        if (schema === undefined) continue; // renamed or excluded on the wire: asserted above
        checked++;
        if (Object.keys(schema).length === 0) silent.push(`${(target as { name: string }).name}.${property}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(silent).toEqual([]);
  });
});
