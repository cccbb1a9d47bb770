// Proof of exactness of the compiled validation (lib/message/validation/):
// on random classes and random values, the compiled check says VALID exactly
// when class-validator's validate() returns no error, and never says INVALID
// when validate() accepts. Classes are built at run time by applying
// class-validator's own decorators to fresh classes.
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import * as cv from 'class-validator';
import { registerDecorator, validate, ValidatorConstraint, type ValidationArguments, type ValidationError, type ValidationOptions, type ValidatorConstraintInterface, type ValidatorOptions } from 'class-validator';
import fc from 'fast-check';
import { CompiledValidation } from '../../lib/message/validation/compiled-validation.js';
import { INVALID, UNDECIDED, VALID, type ValidationVerdict } from '../../lib/message/validation/validation-verdict.js';

type Apply = (options: ValidationOptions) => PropertyDecorator;
interface Spec {
  name: string;
  apply: Apply;
  values: fc.Arbitrary<unknown>;
}

// ---------------------------------------------------------------------------
// Values

const nearNumbers = fc.oneof(
  fc.integer({ min: -5, max: 10 }),
  fc.double({ min: -10, max: 10 }),
  fc.constantFrom(0, -0, 1.5, 2.25, 3, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double(),
);
const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  nearNumbers,
  fc.boolean(),
  fc.constantFrom(null, undefined, '', ' ', '0', '1', 'true', 'false', 'NaN', '1e3', '-1', 'a', 'A', '{}', '[]'),
  fc.date(),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 2 }), fc.integer(), { maxKeys: 2 }),
  fc.constantFrom(new Set(['a']), new Map([['k', 1]]), Object.create(null) as object, 10n, new String('s'), new Number(3)),
);
const letters = (alphabet: string, maxLength = 8) => fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength });
/** Mostly-valid examples, strings near them, and anything. */
const around = (examples: unknown[], near: fc.Arbitrary<unknown> = fc.string({ maxLength: 10 })) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...examples) }, { weight: 2, arbitrary: near }, { weight: 1, arbitrary: anything });
/** A string with one character changed: nearly valid. */
const mutated = (valid: fc.Arbitrary<string>) =>
  fc.tuple(valid, fc.nat(), fc.constantFrom('x', '-', '0', ' ', 'Z', '')).map(([s, i, c]) => (s.length ? s.slice(0, i % s.length) + c + s.slice((i % s.length) + 1) : c));
const strings = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: mutated(valid) }, { weight: 1, arbitrary: anything });
const dates = fc.oneof(fc.date({ min: new Date('1960-01-01'), max: new Date('2100-01-01') }), fc.date(), anything);
const isoDates = fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
const arrays = fc.oneof(
  fc.array(fc.constantFrom('a', 'b', 1, 2, null), { maxLength: 4 }),
  fc.sparseArray(fc.constantFrom('a', 1), { maxLength: 3 }),
  anything,
);
const objects = fc.oneof(fc.constantFrom({}, { a: 1 }, { a: undefined }, [], [1], new Date(0), null), anything);

enum Colour {
  Red = 'red',
  Blue = 'blue',
}
enum Level {
  Low,
  High,
}

/** A custom constraint class (`@Validate`) whose verdict depends on every argument class-validator passes. */
@ValidatorConstraint({ name: 'argsAware' })
class ArgsAware implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const object = args.object as Record<string, unknown>;
    const sameArgs =
      args.targetName === (object.constructor as { name?: string } | undefined)?.name &&
      object[args.property] === args.value &&
      Array.isArray(args.constraints) &&
      args.constraints[0] === 2;
    return sameArgs && typeof value === 'number' && value % (args.constraints[0] as number) === 0;
  }
}

/** A custom decorator through registerDecorator with an inline validator (as libraries write them). */
function IsShortText(max: number, options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isShortText',
      target: object.constructor,
      propertyName: propertyName as string,
      constraints: [max],
      options,
      validator: { validate: (value: unknown, args: ValidationArguments) => typeof value === 'string' && value.length <= (args.constraints[0] as number) },
    });
}

/** A constraint answering something truthy or falsy but not a boolean (class-validator only tests truthiness). */
const truthy = (options: ValidationOptions) =>
  cv.ValidateBy(
    { name: 'truthy', validator: { validate: ((value: unknown) => (typeof value === 'string' ? value.length : value === 0 ? 0 : 'yes')) as unknown as (value: unknown) => boolean } },
    options,
  );

// Every decorator class-validator exports that checks a value, with values
// that hit both sides. Excluded: ValidatePromise (async: the class falls back,
// see validation-fallback.spec.ts), and IsOptional, ValidateIf, IsDefined,
// ValidateNested, Allow, Validate, ValidateBy, which the class builder below
// combines with these (IsDefined and Allow are also in this list).
const ALL_SPECS: Spec[] = [
  { name: 'IsString', apply: (o) => cv.IsString(o), values: around(['a', ''], anything) },
  { name: 'IsInt', apply: (o) => cv.IsInt(o), values: nearNumbers },
  { name: 'IsNumber', apply: (o) => cv.IsNumber({}, o), values: nearNumbers },
  { name: 'IsNumber(options)', apply: (o) => cv.IsNumber({ allowNaN: true, allowInfinity: false, maxDecimalPlaces: 1 }, o), values: nearNumbers },
  { name: 'IsBoolean', apply: (o) => cv.IsBoolean(o), values: around([true, false, 'true']) },
  { name: 'IsDate', apply: (o) => cv.IsDate(o), values: dates },
  { name: 'IsEmail', apply: (o) => cv.IsEmail(undefined, o), values: strings(fc.emailAddress()) },
  { name: 'IsUUID', apply: (o) => cv.IsUUID(undefined, o), values: strings(fc.uuid()) },
  { name: 'IsUUID(4)', apply: (o) => cv.IsUUID('4', o), values: strings(fc.uuid({ version: [1, 4] })) },
  { name: 'IsEnum(string)', apply: (o) => cv.IsEnum(Colour, o), values: around(['red', 'blue', 'Red', 'green']) },
  { name: 'IsEnum(numeric)', apply: (o) => cv.IsEnum(Level, o), values: around([0, 1, 2, 'Low', '0']) },
  { name: 'Min', apply: (o) => cv.Min(3, o), values: nearNumbers },
  { name: 'Max', apply: (o) => cv.Max(3, o), values: nearNumbers },
  { name: 'MinLength', apply: (o) => cv.MinLength(2, o), values: around(['ab', 'a'], fc.string({ maxLength: 4 })) },
  { name: 'MaxLength', apply: (o) => cv.MaxLength(3, o), values: around(['abc', 'abcd'], fc.string({ maxLength: 5 })) },
  { name: 'Length', apply: (o) => cv.Length(2, 4, o), values: around(['ab', '😀😀'], fc.string({ unit: 'grapheme', maxLength: 5 })) },
  { name: 'Matches(RegExp)', apply: (o) => cv.Matches(/^[a-c]+$/, o), values: around(['abc'], letters('abcd')) },
  { name: 'Matches(string, flags)', apply: (o) => cv.Matches('^x', 'i', o), values: around(['x', 'X1'], letters('xXy')) },
  { name: 'IsIn', apply: (o) => cv.IsIn(['a', 'b', 1], o), values: around(['a', 'b', 'c', 1, '1', 2]) },
  { name: 'IsNotIn', apply: (o) => cv.IsNotIn(['a', 1], o), values: around(['a', 'b', 1, '1']) },
  { name: 'IsNotEmpty', apply: (o) => cv.IsNotEmpty(o), values: anything },
  { name: 'IsEmpty', apply: (o) => cv.IsEmpty(o), values: anything },
  { name: 'IsDefined', apply: (o) => cv.IsDefined(o), values: anything },
  { name: 'Allow', apply: (o) => cv.Allow(o), values: anything },
  { name: 'Equals', apply: (o) => cv.Equals('x', o), values: around(['x', 'y']) },
  { name: 'NotEquals', apply: (o) => cv.NotEquals('x', o), values: around(['x', 'y']) },
  { name: 'IsArray', apply: (o) => cv.IsArray(o), values: arrays },
  { name: 'ArrayMinSize', apply: (o) => cv.ArrayMinSize(1, o), values: arrays },
  { name: 'ArrayMaxSize', apply: (o) => cv.ArrayMaxSize(2, o), values: arrays },
  { name: 'ArrayNotEmpty', apply: (o) => cv.ArrayNotEmpty(o), values: arrays },
  { name: 'ArrayContains', apply: (o) => cv.ArrayContains(['a'], o), values: arrays },
  { name: 'ArrayNotContains', apply: (o) => cv.ArrayNotContains(['a'], o), values: arrays },
  { name: 'ArrayUnique', apply: (o) => cv.ArrayUnique(undefined, o), values: arrays },
  { name: 'IsObject', apply: (o) => cv.IsObject(o), values: objects },
  { name: 'IsNotEmptyObject', apply: (o) => cv.IsNotEmptyObject({ nullable: false }, o), values: objects },
  { name: 'IsInstance', apply: (o) => cv.IsInstance(Date, o), values: dates },
  { name: 'IsPositive', apply: (o) => cv.IsPositive(o), values: nearNumbers },
  { name: 'IsNegative', apply: (o) => cv.IsNegative(o), values: nearNumbers },
  { name: 'IsDivisibleBy', apply: (o) => cv.IsDivisibleBy(3, o), values: nearNumbers },
  { name: 'MinDate', apply: (o) => cv.MinDate(new Date('2000-01-01'), o), values: dates },
  { name: 'MaxDate', apply: (o) => cv.MaxDate(() => new Date('2050-01-01'), o), values: dates },
  { name: 'Contains', apply: (o) => cv.Contains('ab', o), values: around(['xaby'], letters('abc')) },
  { name: 'NotContains', apply: (o) => cv.NotContains('ab', o), values: around(['xaby'], letters('abc')) },
  { name: 'IsISO8601', apply: (o) => cv.IsISO8601(undefined, o), values: strings(isoDates) },
  { name: 'IsISO8601(strict)', apply: (o) => cv.IsISO8601({ strict: true }, o), values: strings(isoDates) },
  { name: 'IsDateString', apply: (o) => cv.IsDateString(undefined, o), values: strings(isoDates) },
  { name: 'IsRFC3339', apply: (o) => cv.IsRFC3339(o), values: strings(isoDates) },
  { name: 'IsUrl', apply: (o) => cv.IsUrl(undefined, o), values: strings(fc.webUrl()) },
  { name: 'IsFQDN', apply: (o) => cv.IsFQDN(undefined, o), values: strings(fc.domain()) },
  { name: 'IsIP', apply: (o) => cv.IsIP(undefined, o), values: strings(fc.oneof(fc.ipV4(), fc.ipV6())) },
  { name: 'IsIP(4)', apply: (o) => cv.IsIP('4', o), values: strings(fc.oneof(fc.ipV4(), fc.ipV6())) },
  { name: 'IsHexColor', apply: (o) => cv.IsHexColor(o), values: strings(letters('0123456789abcdefG', 6).map((s) => `#${s}`)) },
  { name: 'IsHexadecimal', apply: (o) => cv.IsHexadecimal(o), values: strings(letters('0123456789abcdef')) },
  { name: 'IsOctal', apply: (o) => cv.IsOctal(o), values: strings(letters('012345678')) },
  { name: 'IsJSON', apply: (o) => cv.IsJSON(o), values: strings(fc.json()) },
  { name: 'IsNumberString', apply: (o) => cv.IsNumberString(undefined, o), values: strings(nearNumbers.map(String)) },
  { name: 'IsDecimal', apply: (o) => cv.IsDecimal(undefined, o), values: strings(nearNumbers.map(String)) },
  { name: 'IsBooleanString', apply: (o) => cv.IsBooleanString(o), values: around(['true', 'false', '1', '0', 'yes']) },
  { name: 'IsAlpha', apply: (o) => cv.IsAlpha(undefined, o), values: strings(letters('abcXYZ')) },
  { name: 'IsAlphanumeric', apply: (o) => cv.IsAlphanumeric(undefined, o), values: strings(letters('abc123')) },
  { name: 'IsAscii', apply: (o) => cv.IsAscii(o), values: fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), anything) },
  { name: 'IsLowercase', apply: (o) => cv.IsLowercase(o), values: strings(letters('abcD1')) },
  { name: 'IsUppercase', apply: (o) => cv.IsUppercase(o), values: strings(letters('ABCd1')) },
  { name: 'IsFullWidth', apply: (o) => cv.IsFullWidth(o), values: around(['ｆｕｌｌ', 'half'], fc.string({ unit: 'grapheme' })) },
  { name: 'IsHalfWidth', apply: (o) => cv.IsHalfWidth(o), values: around(['ｆｕｌｌ', 'half'], fc.string({ unit: 'grapheme' })) },
  { name: 'IsVariableWidth', apply: (o) => cv.IsVariableWidth(o), values: around(['ｆｕｌｌhalf', 'half'], fc.string({ unit: 'grapheme' })) },
  { name: 'IsMultibyte', apply: (o) => cv.IsMultibyte(o), values: around(['ｆｕｌｌ', 'abc'], fc.string({ unit: 'grapheme' })) },
  { name: 'IsSurrogatePair', apply: (o) => cv.IsSurrogatePair(o), values: around(['😀', 'abc'], fc.string({ unit: 'grapheme' })) },
  { name: 'IsByteLength', apply: (o) => cv.IsByteLength(1, 4, o), values: around(['ab', 'é', '😀😀'], fc.string({ unit: 'grapheme', maxLength: 5 })) },
  { name: 'IsBase64', apply: (o) => cv.IsBase64(undefined, o), values: strings(fc.base64String()) },
  { name: 'IsBase32', apply: (o) => cv.IsBase32(o), values: around(['MZXW6===', 'MZXW6YQ=', 'mzxw'], letters('MZXW6Y=')) },
  { name: 'IsBase58', apply: (o) => cv.IsBase58(o), values: strings(letters('123abcXYZ0OIl')) },
  { name: 'IsMongoId', apply: (o) => cv.IsMongoId(o), values: strings(letters('0123456789abcdef', 24)) },
  { name: 'IsMACAddress', apply: (o) => cv.IsMACAddress(o), values: around(['01:23:45:67:89:ab', '01-23-45-67-89-AB', '0123.4567.89ab'], letters('0123456789ab:')) },
  { name: 'IsPort', apply: (o) => cv.IsPort(o), values: around(['80', '65535', '65536', '-1', 80]) },
  { name: 'IsLatitude', apply: (o) => cv.IsLatitude(o), values: fc.oneof(nearNumbers, nearNumbers.map(String), fc.constantFrom(90, 90.5, '-90')) },
  { name: 'IsLongitude', apply: (o) => cv.IsLongitude(o), values: fc.oneof(nearNumbers, nearNumbers.map(String), fc.constantFrom(180, 180.5, '-180')) },
  { name: 'IsLatLong', apply: (o) => cv.IsLatLong(o), values: around(['45.5,-73.6', '91,0', '0,181', '1, 2']) },
  { name: 'IsMilitaryTime', apply: (o) => cv.IsMilitaryTime(o), values: around(['00:00', '23:59', '24:00', '7:15'], letters('0123459:', 5)) },
  { name: 'IsSemVer', apply: (o) => cv.IsSemVer(o), values: around(['1.2.3', '1.2.3-beta.1+build', '01.2.3', '1.2'], letters('0123.-+a')) },
  { name: 'IsTimeZone', apply: (o) => cv.IsTimeZone(o), values: around(['Europe/Paris', 'UTC', 'Mars/Olympus', 'utc']) },
  { name: 'IsLocale', apply: (o) => cv.IsLocale(o), values: around(['en', 'en-US', 'zz-ZZ-x', 'EN_us']) },
  { name: 'IsISO31661Alpha2', apply: (o) => cv.IsISO31661Alpha2(o), values: around(['FR', 'fr', 'ZZ']) },
  { name: 'IsISO31661Alpha3', apply: (o) => cv.IsISO31661Alpha3(o), values: around(['FRA', 'fra', 'ZZZ']) },
  { name: 'IsISO31661Numeric', apply: (o) => cv.IsISO31661Numeric(o), values: around(['250', '999', 250]) },
  { name: 'IsISO4217CurrencyCode', apply: (o) => cv.IsISO4217CurrencyCode(o), values: around(['EUR', 'eur', 'XXZ']) },
  { name: 'IsISO6391', apply: (o) => cv.IsISO6391(o), values: around(['fr', 'FR', 'zz']) },
  { name: 'IsCurrency', apply: (o) => cv.IsCurrency(undefined, o), values: around(['$10.00', '-$1,000.5', '10.123', '$'], letters('$0123.,-')) },
  { name: 'IsCreditCard', apply: (o) => cv.IsCreditCard(o), values: around(['4111111111111111', '4111111111111112', '4111 1111 1111 1111']) },
  { name: 'IsISBN', apply: (o) => cv.IsISBN(undefined, o), values: around(['9780306406157', '0306406152', '9780306406158']) },
  { name: 'IsISSN', apply: (o) => cv.IsISSN(undefined, o), values: around(['0378-5955', '0378-5954', '03785955']) },
  { name: 'IsISIN', apply: (o) => cv.IsISIN(o), values: around(['US0378331005', 'US0378331004']) },
  { name: 'IsISRC', apply: (o) => cv.IsISRC(o), values: around(['USRC17607839', 'USRC1760783']) },
  { name: 'IsEAN', apply: (o) => cv.IsEAN(o), values: around(['4006381333931', '4006381333932', '96385074']) },
  { name: 'IsIBAN', apply: (o) => cv.IsIBAN(undefined, o), values: around(['GB82WEST12345698765432', 'GB82WEST12345698765431']) },
  { name: 'IsBIC', apply: (o) => cv.IsBIC(o), values: around(['DEUTDEFF', 'DEUTDEFF500', 'DEUT12FF']) },
  { name: 'IsBtcAddress', apply: (o) => cv.IsBtcAddress(o), values: around(['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0']) },
  { name: 'IsEthereumAddress', apply: (o) => cv.IsEthereumAddress(o), values: strings(letters('0123456789abcdef', 40).map((s) => `0x${s}`)) },
  { name: 'IsHash', apply: (o) => cv.IsHash('md5', o), values: strings(letters('0123456789abcdef', 32)) },
  { name: 'IsJWT', apply: (o) => cv.IsJWT(o), values: around(['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'a.b', 'a.b.c.d']) },
  { name: 'IsDataURI', apply: (o) => cv.IsDataURI(o), values: around(['data:text/plain;base64,SGVsbG8=', 'data:,hi', 'data:text']) },
  { name: 'IsMagnetURI', apply: (o) => cv.IsMagnetURI(o), values: around(['magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a', 'magnet:?xt=x']) },
  { name: 'IsMimeType', apply: (o) => cv.IsMimeType(o), values: around(['text/plain', 'application/json; charset=utf-8', 'text']) },
  { name: 'IsFirebasePushId', apply: (o) => cv.IsFirebasePushId(o), values: strings(letters('abcXYZ019-_', 20)) },
  { name: 'IsRgbColor', apply: (o) => cv.IsRgbColor(undefined, o), values: around(['rgb(1,2,3)', 'rgba(1,2,3,0.5)', 'rgb(1,2)', 'rgb(10%,2%,3%)']) },
  { name: 'IsHSL', apply: (o) => cv.IsHSL(o), values: around(['hsl(360,100%,50%)', 'hsl(1,2,3)', 'hsla(1, 2%, 3%, 0.5)']) },
  { name: 'IsPostalCode', apply: (o) => cv.IsPostalCode('any', o), values: around(['75001', '10115', 'SW1A 1AA', '1'], letters('0123456789 ', 6)) },
  { name: 'IsMobilePhone', apply: (o) => cv.IsMobilePhone('fr-FR', undefined, o), values: around(['+33612345678', '0612345678', '0112345678']) },
  { name: 'IsPhoneNumber', apply: (o) => cv.IsPhoneNumber('FR', o), values: around(['+33612345678', '0612345678', '12', '+1 202-555-0143']) },
  { name: 'IsPassportNumber', apply: (o) => cv.IsPassportNumber('FR', o), values: around(['12AB34567', '12AB3456', 'A1234567']) },
  { name: 'IsIdentityCard', apply: (o) => cv.IsIdentityCard('ES', o), values: around(['99999999R', '99999999A', '1']) },
  { name: 'IsTaxId', apply: (o) => cv.IsTaxId('en-US', o), values: around(['01-1234567', '01-123456', '011234567']) },
  { name: 'IsStrongPassword', apply: (o) => cv.IsStrongPassword(undefined, o), values: around(['Abcdef1!', 'abcdefgh', 'Ab1!'], fc.string({ minLength: 6, maxLength: 10 })) },
  { name: 'Validate(custom class)', apply: (o) => cv.Validate(ArgsAware, [2], o), values: nearNumbers },
  { name: 'registerDecorator(inline validator)', apply: (o) => IsShortText(3, o), values: around(['abc', 'abcd'], fc.string({ maxLength: 5 })) },
  { name: 'ValidateBy(truthy, not boolean)', apply: truthy, values: around(['', 'x', 0, 1]) },
];
// The peer range allows class-validator 0.14, which lacks a few of these (IsISO6391...).
const SPECS = ALL_SPECS.filter((spec) => typeof (cv as Record<string, unknown>)[spec.name.replace(/\(.*$/, '')] === 'function');

// ---------------------------------------------------------------------------
// Classes built from random schemas

interface Use {
  spec: number;
  each: boolean;
  groups?: string[];
  always?: boolean;
  /** The per-decorator `validateIf` option (class-validator 0.15). */
  validateIf?: boolean;
}
interface PropertySchema {
  key: string;
  uses: Use[];
  condition: 'none' | 'IsOptional' | 'ValidateIf';
  conditionGroups?: string[];
  defined: boolean;
  nested?: ClassSchema;
}
interface ClassSchema {
  properties: PropertySchema[];
  base?: ClassSchema;
}

const groups = fc.option(fc.constantFrom<string[]>(['a'], ['b'], ['a', 'b']), { nil: undefined });
const KEYS = ['p0', 'p1', 'p2'];

function useArb(specs: fc.Arbitrary<number>): fc.Arbitrary<Use> {
  return fc.record(
    { spec: specs, each: fc.boolean(), groups, always: fc.option(fc.boolean(), { nil: undefined }), validateIf: fc.option(fc.boolean(), { nil: undefined }) },
    { requiredKeys: ['spec', 'each'] },
  );
}

function propertyArb(specs: fc.Arbitrary<number>, nested: fc.Arbitrary<ClassSchema | undefined>): fc.Arbitrary<Omit<PropertySchema, 'key'>> {
  return fc.record(
    {
      uses: fc.array(useArb(specs), { minLength: 0, maxLength: 3 }),
      condition: fc.constantFrom('none', 'none', 'IsOptional', 'ValidateIf') as fc.Arbitrary<PropertySchema['condition']>,
      conditionGroups: groups,
      defined: fc.boolean(),
      nested,
    },
    { requiredKeys: ['uses', 'condition', 'defined'] },
  );
}

function classArb(specs: fc.Arbitrary<number>, depth: number): fc.Arbitrary<ClassSchema> {
  const nested = depth > 0 ? fc.option(classArb(specs, depth - 1), { nil: undefined, freq: 4 }) : fc.constant(undefined);
  const properties = fc
    .uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 })
    .chain((keys) => fc.tuple(...keys.map((key) => propertyArb(specs, nested).map((p) => ({ ...p, key })))));
  return fc.record(
    { properties, base: depth > 0 ? fc.option(classArb(specs, 0), { nil: undefined, freq: 3 }) : fc.constant(undefined) },
    { requiredKeys: ['properties'] },
  );
}

const condition = (_object: object, value: unknown) => (typeof value === 'string' ? value.length % 2 === 0 : value !== 0);
const validateIfOption = (_object: object, value: unknown) => value !== 1 && value !== 'a';

const built = new Map<string, new () => object>();
let classCount = 0;

/** A class decorated as the schema says (one per distinct schema). */
function classOf(schema: ClassSchema): new () => object {
  const key = JSON.stringify(schema);
  const known = built.get(key);
  if (known) return known;
  const Base = schema.base ? classOf(schema.base) : undefined;
  const cls = Base ? class extends Base {} : class {};
  Object.defineProperty(cls, 'name', { value: `Generated${++classCount}` });
  for (const property of schema.properties) {
    const target = cls.prototype as object;
    for (const use of property.uses) {
      const options: ValidationOptions = { each: use.each };
      if (use.groups) options.groups = use.groups;
      if (use.always !== undefined) options.always = use.always;
      if (use.validateIf) options.validateIf = validateIfOption;
      SPECS[use.spec]!.apply(options)(target, property.key);
    }
    const conditionOptions: ValidationOptions = property.conditionGroups ? { groups: property.conditionGroups } : {};
    if (property.condition === 'IsOptional') cv.IsOptional(conditionOptions)(target, property.key);
    if (property.condition === 'ValidateIf') cv.ValidateIf(condition, conditionOptions)(target, property.key);
    if (property.defined) cv.IsDefined()(target, property.key);
    if (property.nested) cv.ValidateNested({ each: true })(target, property.key);
  }
  built.set(key, cls);
  return cls;
}

/** The value of one property: its decorators' values, collections of them, nested instances, or anything. */
function valueArb(property: PropertySchema): fc.Arbitrary<unknown> {
  const options: fc.WeightedArbitrary<unknown>[] = [{ weight: 1, arbitrary: anything }];
  for (const use of property.uses) {
    const values = SPECS[use.spec]!.values;
    options.push({ weight: 2, arbitrary: values });
    if (use.each) options.push({ weight: 2, arbitrary: collectionOf(values) });
  }
  if (property.nested) {
    const child = instanceArb(property.nested);
    const odd = fc.constantFrom(null, undefined, 0, 'x', {}, new Date(0), Object.create(null) as object);
    options.push(
      { weight: 4, arbitrary: child },
      { weight: 4, arbitrary: collectionOf(fc.oneof({ weight: 4, arbitrary: child }, { weight: 1, arbitrary: odd })) },
      { weight: 1, arbitrary: odd },
    );
  }
  return fc.oneof(...options);
}

function collectionOf(values: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.array(values, { maxLength: 4 }),
    fc.sparseArray(values, { maxLength: 3 }),
    fc.array(values, { maxLength: 3 }).map((items) => new Set(items)),
    fc.array(fc.tuple(fc.string({ maxLength: 2 }), values), { maxLength: 3 }).map((entries) => new Map(entries)),
  );
}

/** An instance of the schema's class, each property set to a value or left missing. */
function instanceArb(schema: ClassSchema): fc.Arbitrary<object> {
  const cls = classOf(schema);
  const all = [...schema.properties, ...(schema.base?.properties ?? [])];
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const property of all) fields[property.key] = fields[property.key] ? fc.oneof(fields[property.key]!, valueArb(property)) : valueArb(property);
  return fc.record(fields, { requiredKeys: [] }).map((values) => Object.assign(new cls(), values));
}

const validatorOptions: fc.Arbitrary<ValidatorOptions> = fc.record(
  {
    groups: fc.constantFrom<string[]>(['a'], ['b'], ['a', 'b'], []),
    always: fc.boolean(),
    strictGroups: fc.boolean(),
    skipMissingProperties: fc.boolean(),
    skipNullProperties: fc.boolean(),
    skipUndefinedProperties: fc.boolean(),
    forbidUnknownValues: fc.boolean(),
    stopAtFirstError: fc.boolean(),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------
// The property

interface Outcome {
  verdict: ValidationVerdict;
  reference: 'valid' | 'invalid' | 'throws';
}

async function compare(object: object, options: ValidatorOptions): Promise<Outcome> {
  const verdict = new CompiledValidation(options).verdict(object);
  let errors: ValidationError[];
  try {
    errors = await validate(object, options);
  } catch {
    return { verdict, reference: 'throws' };
  }
  return { verdict, reference: errors.length === 0 ? 'valid' : 'invalid' };
}

/** VALID ⇔ validate() finds nothing; INVALID ⇒ it finds something; UNDECIDED only where validate() throws. */
function exact({ verdict, reference }: Outcome): boolean {
  if (reference === 'throws') return verdict !== VALID;
  return verdict === (reference === 'valid' ? VALID : INVALID);
}

const seen = { valid: 0, invalid: 0, throws: 0 };
async function check(object: object, options: ValidatorOptions): Promise<boolean> {
  const outcome = await compare(object, options);
  seen[outcome.reference]++;
  return exact(outcome);
}

describe('compiled validation ⇔ class-validator validate() (property-based)', () => {
  beforeAll(() => {
    // Every compiled class says so at debug level: thousands of lines here.
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterAll(() => {
    jest.restoreAllMocks();
    // Both sides must have been exercised, or the property proves little.
    expect(seen.valid).toBeGreaterThan(1000);
    expect(seen.invalid).toBeGreaterThan(1000);
  });

  const single = (spec: number): ClassSchema => ({ properties: [{ key: 'p0', uses: [{ spec, each: false }], condition: 'none', defined: false }] });
  // Classes are drawn from pools built once per test: class-validator scans
  // every class it knows on each validate() call, so thousands of fresh
  // classes would make each case slower than the last. The pools come from
  // the same seed as the run, which fast-check prints on failure
  // (FC_SEED=<seed> reproduces it).
  const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const defaults = fc.constant<ValidatorOptions>({ forbidUnknownValues: false });

  it.each(SPECS.map((spec, index) => [spec.name, index] as const))('%s: alone, with each, optional, ValidateIf, groups, nested', async (_name, index) => {
    const specs = fc.constant(index);
    const shapes = fc.oneof(classArb(specs, 0), classArb(specs, 1), propertyArb(specs, classArb(specs, 0)).map((p) => ({ properties: [{ ...p, key: 'p1' }] })));
    const schemas = [single(index), ...fc.sample(shapes, { numRuns: 5, seed: seed + index })];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...schemas).chain((s) => fc.tuple(instanceArb(s), fc.oneof(defaults, validatorOptions))),
        ([object, options]) => check(object, options),
      ),
      { numRuns: 50, seed: seed + index },
    );
  });

  it('random classes mixing every decorator, nested classes, inheritance and options', async () => {
    const schemas = fc.sample(classArb(fc.nat({ max: SPECS.length - 1 }), 2), { numRuns: 300, seed });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...schemas).chain((s) => fc.tuple(instanceArb(s), fc.oneof(defaults, validatorOptions))), ([object, options]) => check(object, options)),
      { numRuns: 3000, seed },
    );
  });

  it('the verdict is not a constant: the same class gets both answers', async () => {
    const cls = classOf(single(SPECS.findIndex((s) => s.name === 'IsInt')));
    const compiled = new CompiledValidation({ forbidUnknownValues: false });
    expect(compiled.verdict(Object.assign(new cls(), { p0: 3 }))).toBe(VALID);
    expect(compiled.verdict(Object.assign(new cls(), { p0: 3.5 }))).toBe(INVALID);
    expect(UNDECIDED).not.toBe(VALID);
  });
});
