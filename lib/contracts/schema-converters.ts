// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the ambient module of class-transformer's storage, shared with lib/message/
/// <reference path="../message/class-transformer-storage.d.ts" />
import { defaultMetadataStorage as transformerStorage } from 'class-transformer/cjs/storage.js';
import { IS_ARRAY, IS_BOOLEAN, IS_DATE, IS_ENUM, IS_INT, IS_NUMBER, IS_OBJECT, IS_STRING, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { defaultConverters, type ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import type { JsonSchema } from './json-schema.js';

/** Where a schema says which of its class's constraints JSON Schema cannot hold: `{ constraint: why }`. */
export const UNEXPRESSED = 'x-messagio-unexpressed';

/**
 * Each converter's `type` is put aside under this key while class-validator-jsonschema
 * merges a property's converters (its merge lets the last one win: `@IsInt() @Min(1)`
 * would read `number`); class-schema.ts then keeps the narrowest type they all allow.
 */
export const TYPE_CANDIDATES = 'x-messagio-type-candidates';

/** Checks that say nothing but the value's JSON type: their type alone expresses them. */
const TYPE_CHECKS = new Set<string>([
  IS_STRING,
  IS_NUMBER,
  IS_INT,
  IS_BOOLEAN,
  IS_OBJECT,
  IS_ARRAY,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

/** A reference to the schema of a nested class (schema-catalog.ts names it). */
export type ClassReference = (cls: abstract new (...args: never[]) => unknown) => JsonSchema;

/**
 * class-validator-jsonschema's converters, adapted to what travels: every
 * constraint becomes JSON Schema, or a note under `x-messagio-unexpressed`
 * naming it when it cannot (a custom `@Validate`, a `@ValidateIf`, an
 * `@IsIn` of mixed types, a check the library reduces to a bare type such as
 * `@IsLowercase`): never silently loosened. Dates are ISO strings (what
 * `@Type(() => Date)` turns into a Date on the worker); nested classes are
 * `$ref`s to components.
 */
export function schemaConverters(refTo: ClassReference): ISchemaConverters {
  const converters: ISchemaConverters = {};
  for (const [name, converter] of Object.entries(defaultConverters)) {
    converters[name] = (meta, options) => {
      const out = typeof converter === 'function' ? converter(meta, options) : converter;
      if (out === undefined || out === null) return unexpressed(meta, 'this constraint has no JSON Schema form for these values');
      const schema = asideType(out as JsonSchema);
      const expressed = TYPE_CHECKS.has(name) || Object.keys(schema).some((key) => key !== TYPE_CANDIDATES);
      return expressed ? schema : { ...schema, ...unexpressed(meta, 'only the JSON type of this constraint can be expressed') };
    };
  }
  converters[IS_DATE] = (meta) => {
    const type = transformerStorage.findTypeMetadata(meta.target as () => void, meta.propertyName);
    const date = asideType({ type: 'string', format: 'date-time' });
    // A payload holds the date as an ISO string: only @Type(() => Date) makes a Date of it again for @IsDate.
    return type?.typeFunction() === Date ? date : { ...date, ...unexpressed(meta, 'no @Type(() => Date): the stored ISO string stays a string on the worker, and @IsDate rejects it') };
  };
  converters[IS_ENUM] = (meta) => {
    // The values class-validator accepts: every value of the enum object. For a numeric
    // TypeScript enum those include its reverse mapping (Level.Low = 1 also gives 1 → 'Low').
    const entity = (meta.constraints?.[0] ?? {}) as Record<string, unknown>;
    const values = [...new Set(Object.keys(entity).map((key) => entity[key]))];
    const types = new Set(values.map((v) => typeof v));
    if (types.size === 1 && (types.has('string') || types.has('number'))) return asideType({ type: [...types][0] as string, enum: values });
    return { enum: values };
  };
  converters[ValidationTypes.NESTED_VALIDATION] = (meta) => {
    const type = transformerStorage.findTypeMetadata(meta.target as () => void, meta.propertyName);
    const child = (type ? type.typeFunction() : Reflect.getMetadata('design:type', (meta.target as { prototype: object }).prototype, meta.propertyName)) as unknown;
    if (typeof child !== 'function' || [Object, Array, String, Number, Boolean, Date].includes(child as never)) {
      return unexpressed(meta, 'nested validation without a @Type(() => Class): the nested shape is not known');
    }
    const ref = refTo(child as abstract new (...args: never[]) => unknown);
    return type?.options?.discriminator ? { allOf: [ref], ...unexpressed(meta, 'a discriminated @Type: only its base class is described') } : ref;
  };
  converters[ValidationTypes.CONDITIONAL_VALIDATION] = (meta) =>
    // @IsOptional is the property's absence from `required` (and null allowed); @ValidateIf cannot be said.
    meta.name === 'isOptional' ? {} : unexpressed(meta, 'validated only when its @ValidateIf condition holds');
  converters[ValidationTypes.PROMISE_VALIDATION] = (meta) => unexpressed(meta, 'a promise, validated once resolved: the payload holds what JSON made of it');
  converters[ValidationTypes.CUSTOM_VALIDATION] = (meta) => unexpressed(meta, 'a custom constraint, checked by its own code on the worker');
  return converters;
}

/** A note naming a constraint the schema cannot hold, as a schema fragment. */
export function unexpressed(meta: ValidationMetadata, why: string): JsonSchema {
  return { [UNEXPRESSED]: { [constraintName(meta)]: why } };
}

/** How a note names a constraint: `isIn`, or a custom one with its class, `counted (Counted)`. */
function constraintName(meta: ValidationMetadata): string {
  const name = meta.name ?? (meta.type === ValidationTypes.CONDITIONAL_VALIDATION ? 'validateIf' : meta.type);
  // Built-in decorators are registered with a generated `CustomConstraint` class: only a user's class says more.
  const custom = (meta as { constraintCls?: { name?: string } }).constraintCls?.name;
  return custom && custom !== name && custom !== 'CustomConstraint' ? `${name} (${custom})` : name;
}

/** The converter's output, its `type` moved under TYPE_CANDIDATES (a copy: defaults are shared objects). */
function asideType(out: JsonSchema): JsonSchema {
  const { type, ...rest } = out;
  return typeof type === 'string' ? { ...rest, [TYPE_CANDIDATES]: { [type]: true } } : out;
}
