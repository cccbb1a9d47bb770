// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the ambient module of class-transformer's storage, shared with lib/message/
/// <reference path="../message/class-transformer-storage.d.ts" />
import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage as transformerStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import type { JsonSchema } from './json-schema.js';
import { TYPE_CANDIDATES, UNEXPRESSED } from './schema-converters.js';

type AnyClass = abstract new (...args: never[]) => unknown;

/**
 * The JSON Schema of what one class puts on the wire, from its class-validator
 * and class-transformer metadata, read by class-validator-jsonschema with the
 * converters of schema-converters.ts: an object whose properties are named as
 * class-transformer writes them (`@Expose({ name })`, `@Exclude()`), required
 * unless `@IsOptional()` (which also lets them be null), with notes for what
 * cannot be said (`x-messagio-unexpressed`). Nested classes are `$ref`s.
 */
export function classSchema(cls: AnyClass, converters: ISchemaConverters): JsonSchema {
  const generated = targetConstructorToSchema(cls as unknown as () => void, {
    additionalConverters: converters,
    classTransformerMetadataStorage: transformerStorage,
  }) as JsonSchema;
  const properties = { ...((generated.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  const required = new Set((generated.required as string[] | undefined) ?? []);
  const target = cls as unknown as () => void;

  for (const [name, schema] of Object.entries(properties)) properties[name] = refAlone(resolveTypes(schema));
  for (const property of optionalProperties(cls)) {
    const name = wireName(cls, property);
    if (properties[name]) properties[name] = nullable(properties[name]);
  }

  // What class-transformer changes or adds on the way, which validation does not see.
  for (const property of transformedProperties(cls)) {
    const name = wireName(cls, property);
    if (properties[name]) properties[name] = note(properties[name], 'transform', 'a @Transform function converts this value between the payload and the instance; the schema describes the instance, as validated');
  }
  for (const exposed of transformerStorage.getExposedMetadatas(target)) {
    const name = exposed.options?.name ?? exposed.propertyName;
    if (name && exposed.propertyName && !properties[name] && !transformerStorage.findExcludeMetadata(target, exposed.propertyName)) {
      properties[name] = note({}, 'unvalidated', 'no class-validator decorator: this property travels without any check');
    }
  }
  if (transformerStorage.getStrategy(target) === 'excludeAll') {
    // A class-level @Exclude(): only @Expose()d properties travel.
    const exposed = new Set(transformerStorage.getExposedMetadatas(target).map((m) => m.options?.name ?? m.propertyName));
    for (const name of Object.keys(properties)) if (!exposed.has(name)) delete properties[name];
  }

  const schema: JsonSchema = { type: 'object', title: cls.name, properties };
  const names = Object.keys(properties).filter((name) => required.has(name));
  if (names.length > 0) schema.required = names;
  return schema;
}

/** Properties with `@IsOptional()` on the class or its ancestors. */
function optionalProperties(cls: AnyClass): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls as unknown as () => void, '', true, false);
  return [...new Set(metadatas.filter((m) => m.name === 'isOptional').map((m) => m.propertyName))];
}

/** Properties with a `@Transform` either way. */
function transformedProperties(cls: AnyClass): string[] {
  const target = cls as unknown as () => void;
  const names = new Set<string>();
  for (const property of [...getMetadataStorage().getTargetValidationMetadatas(target, '', true, false).map((m) => m.propertyName)]) {
    const toPlain = transformerStorage.findTransformMetadatas(target, property, TransformationType.CLASS_TO_PLAIN);
    const toClass = transformerStorage.findTransformMetadatas(target, property, TransformationType.PLAIN_TO_CLASS);
    if (toPlain.length + toClass.length > 0) names.add(property);
  }
  return [...names];
}

/** The name a property has in the payload. */
function wireName(cls: AnyClass, property: string): string {
  return transformerStorage.findExposeMetadata(cls as unknown as () => void, property)?.options?.name ?? property;
}

/**
 * Settles the type candidates the converters put aside, at every level: the
 * narrowest type all of them allow (`integer` for `@IsInt() @Min(1)`); types
 * no value can satisfy at once are kept, and noted.
 */
function resolveTypes(schema: JsonSchema): JsonSchema {
  const candidates = new Set(Object.keys((schema[TYPE_CANDIDATES] as Record<string, true> | undefined) ?? {}));
  if (typeof schema.type === 'string') candidates.add(schema.type);
  if (candidates.has('integer') && candidates.has('number')) candidates.delete('number'); // every integer is a number
  // The type first, then the rest as generated: easier to read.
  const out: JsonSchema = candidates.size > 0 ? { type: [...candidates][0] } : schema.type !== undefined ? { type: schema.type } : {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === TYPE_CANDIDATES || key === 'type') continue;
    if (key === 'items' || key === 'additionalProperties' || key === 'not') out[key] = isSchema(value) ? resolveTypes(value) : value;
    else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') out[key] = Array.isArray(value) ? value.map((v) => (isSchema(v) ? resolveTypes(v) : v)) : value;
    else out[key] = value;
  }
  if (candidates.size > 1) {
    return note(out, 'types', `its constraints want several types at once (${[...candidates].join(', ')}): no value passes them all`);
  }
  return out;
}

/** `@IsOptional()` lets a value be absent or null. */
function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (schema.$ref !== undefined || schema.allOf !== undefined) {
    const { [UNEXPRESSED]: notes, ...rest } = schema;
    return { anyOf: [rest, { type: 'null' }], ...(notes ? { [UNEXPRESSED]: notes } : {}) };
  }
  return schema; // no type: anything goes, null included
}

/** A `$ref` with sibling keywords (notes), which draft 07 ignores: the reference goes into an `allOf`. */
function refAlone(schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined || Object.keys(schema).length === 1) return schema;
  const { $ref, ...rest } = schema;
  return { allOf: [{ $ref }], ...rest };
}

function note(schema: JsonSchema, constraint: string, why: string): JsonSchema {
  return { ...schema, [UNEXPRESSED]: { ...((schema[UNEXPRESSED] as object | undefined) ?? {}), [constraint]: why } };
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
