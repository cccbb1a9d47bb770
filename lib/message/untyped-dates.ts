// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient module (no typings ship beside it); this keeps every tsconfig that compiles this file aware of it
/// <reference path="./class-transformer-storage.d.ts" />
import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage as transformerStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage } from 'class-validator';

type AnyClass = abstract new (...args: never[]) => unknown;

/** A `Date` property nothing rebuilds as a Date. */
export interface UntypedDate {
  /** From the message: `sentAt`, or `shipping.sentAt` in a nested class. */
  path: string;
  /** The class declaring it, and the property there: where `@Type(() => Date)` goes. */
  owner: string;
  property: string;
}

/**
 * The properties of a message class declared as `Date` that nothing rebuilds
 * as a Date: a payload is JSON, so a Date travels as its ISO string, and
 * class-transformer turns it back into a Date only for a property with
 * `@Type(() => Date)` (or its own `@Transform`). Without one, the fire
 * succeeds and every delivery gets a string: `@IsDate()` then fails it on the
 * worker ("must be a Date instance"), and a listener calling `getTime()` throws.
 *
 * TypeScript records a property's declared type (`design:type`) only when a
 * decorator is on it, so the properties read are those with a class-validator
 * or class-transformer decorator; a Date property with no decorator at all, or
 * a `Date[]` (recorded as `Array`), cannot be seen. Nested classes named by a
 * `@Type(() => Nested)` are searched too, giving dotted paths (`shipping.sentAt`).
 * Read once per class, at registration.
 */
export function findUntypedDates(cls: AnyClass): UntypedDate[] {
  const found: UntypedDate[] = [];
  search(cls, '', new Set(), found);
  return found;
}

function search(cls: AnyClass, prefix: string, seen: Set<AnyClass>, found: UntypedDate[]): void {
  if (seen.has(cls)) return; // a class nesting itself
  seen.add(cls);
  const target = cls as unknown as () => void;
  for (const property of decoratedProperties(cls)) {
    const declared = Reflect.getMetadata('design:type', cls.prototype as object, property) as unknown;
    const typed = transformerStorage.findTypeMetadata(target, property);
    if (typed) {
      const nested = nestedClass(typed.typeFunction);
      if (nested && nested !== Date) search(nested, `${prefix}${property}.`, seen, found);
      continue;
    }
    if (declared !== Date || transformerStorage.findExcludeMetadata(target, property)) continue;
    if (transformerStorage.findTransformMetadatas(target, property, TransformationType.PLAIN_TO_CLASS).length > 0) continue;
    found.push({ path: `${prefix}${property}`, owner: cls.name, property });
  }
}

/** Names of the properties of `cls` (its ancestors included) that carry a class-validator or class-transformer decorator. */
function decoratedProperties(cls: AnyClass): Set<string> {
  const target = cls as unknown as () => void;
  const names = new Set<string>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(target, '', false, false)) {
    if (typeof metadata.propertyName === 'string' && metadata.propertyName !== '') names.add(metadata.propertyName);
  }
  for (const metadata of transformerStorage.getExposedMetadatas(target)) {
    if (metadata.propertyName !== undefined) names.add(metadata.propertyName);
  }
  return names;
}

/** The class a `@Type(() => X)` names, or `undefined` (a discriminator, or a function that needs its options). */
function nestedClass(typeFunction: (options?: never) => unknown): AnyClass | undefined {
  try {
    const type = typeFunction();
    return typeof type === 'function' ? (type as AnyClass) : undefined;
  } catch {
    return undefined;
  }
}
