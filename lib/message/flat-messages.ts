// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient module (no typings ship beside it); this keeps every tsconfig that compiles this file aware of it
/// <reference path="./class-transformer-storage.d.ts" />
import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage as storage } from 'class-transformer/cjs/storage.js';

/**
 * A shortcut around class-transformer for the common message: a class without
 * any class-transformer decorator (on it or its ancestors) whose own values are
 * all primitives. For such a message `instanceToPlain` / `plainToInstance` with
 * default options come down to copying the own keys, which this does in a
 * fraction of the time (the benchmark's profiles had class-transformer at
 * ~5 µs a call, a large share of an in-process delivery). Anything else (a
 * decorator, a nested object or array, a Date, a function value) returns
 * `undefined` and the codec uses class-transformer itself.
 *
 * What is copied, and what is skipped, follows class-transformer 0.5's
 * TransformOperationExecutor for that case: `Object.keys` order, `__proto__`
 * and `constructor` never copied. On rebuild the instance is made as the
 * codec's class-transformer path makes it (unconstructed-target.ts), without
 * calling the constructor: `Object.create(cls.prototype)`; then a key is
 * skipped when the prototype has a getter without setter for it or the
 * instance holds a function there (which, with no constructor run, can only
 * come from the prototype chain: a method). Decisions are cached per class and
 * key (decorators run when a class is defined, before anything is fired),
 * with whether the prototype chain has the key at all: a plain field (the
 * common case) is then set without looking at the prototype per message.
 */

// How one key of a class is copied (decided once per class and key):
/** A @Type/@Transform applies, or `__proto__` / `constructor`: class-transformer's job. */
const NOT_PLAIN = 0;
/** Copied as is; the prototype chain has nothing under this key, so a rebuild just sets it. */
const PLAIN = 1;
/** Copied as is; the prototype chain has something under this key (an accessor, a method): checked per rebuild. */
const PLAIN_ON_PROTOTYPE = 2;
type KeyKind = typeof NOT_PLAIN | typeof PLAIN | typeof PLAIN_ON_PROTOTYPE;

interface ClassInfo {
  /** No class-level @Expose/@Exclude and no exposed/excluded property, on the class or its ancestors. */
  eligible: boolean;
  /** key → how it is copied. */
  keys: Map<string, KeyKind>;
}

// Payload keys come from stored data: past this many distinct keys a class's
// decisions are not cached any more (memory stays bounded).
const MAX_CACHED_KEYS = 1000;

const classes = new WeakMap<object, ClassInfo>();

function infoOf(cls: object): ClassInfo {
  let info = classes.get(cls);
  if (!info) {
    const target = cls as () => void;
    info = {
      eligible:
        storage.getStrategy(target) === 'none' &&
        storage.getExposedMetadatas(target).length === 0 &&
        storage.getExcludedMetadatas(target).length === 0,
      keys: new Map(),
    };
    classes.set(cls, info);
  }
  return info;
}

function keyKind(cls: object, info: ClassInfo, key: string): KeyKind {
  let kind = info.keys.get(key);
  if (kind === undefined) {
    const target = cls as () => void;
    const plain =
      key !== '__proto__' &&
      key !== 'constructor' &&
      storage.findTypeMetadata(target, key) === undefined &&
      storage.findTransformMetadatas(target, key, TransformationType.PLAIN_TO_CLASS).length === 0 &&
      storage.findTransformMetadatas(target, key, TransformationType.CLASS_TO_PLAIN).length === 0;
    kind = !plain ? NOT_PLAIN : key in ((cls as { prototype: object }).prototype ?? {}) ? PLAIN_ON_PROTOTYPE : PLAIN;
    if (info.keys.size < MAX_CACHED_KEYS) info.keys.set(key, kind);
  }
  return kind;
}

function isPrimitive(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** True when every own key of `source` can be copied as is for `cls`. */
function copyable(cls: object, source: Record<string, unknown>, keys: string[]): boolean {
  const info = infoOf(cls);
  if (!info.eligible) return false;
  for (const key of keys) {
    if (!isPrimitive(source[key]) || keyKind(cls, info, key) === NOT_PLAIN) return false;
  }
  return true;
}

/** `instanceToPlain(message)` for a flat message; `undefined` when class-transformer must do it. */
export function flatToPlain(message: object): Record<string, unknown> | undefined {
  const source = message as Record<string, unknown>;
  const keys = Object.keys(source);
  if (!copyable(message.constructor, source, keys)) return undefined;
  const plain: Record<string, unknown> = {};
  for (const key of keys) plain[key] = source[key];
  return plain;
}

/** `plainToInstance(unconstructedTarget(cls), plain)` for a flat class and payload; `undefined` when class-transformer must do it. */
export function flatToInstance<T extends object>(cls: abstract new (...args: never[]) => T, plain: Record<string, unknown>): T | undefined {
  const keys = Object.keys(plain);
  if (!copyable(cls, plain, keys)) return undefined;
  const prototype = cls.prototype as object;
  const instance = Object.create(prototype) as Record<string, unknown>;
  const known = infoOf(cls).keys;
  for (const key of keys) {
    // A key the prototype chain does not have (a field: the common case) is set as is.
    if (known.get(key) !== PLAIN) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if ((descriptor && !descriptor.set) || instance[key] instanceof Function) continue;
    }
    instance[key] = plain[key];
  }
  return instance as T;
}
