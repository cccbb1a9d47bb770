// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient module (no typings ship beside it); this keeps every tsconfig that compiles this file aware of it
/// <reference path="./class-transformer-storage.d.ts" />
import { Exclude, Expose } from 'class-transformer';
import { defaultMetadataStorage as storage } from 'class-transformer/cjs/storage.js';

/**
 * The class to hand class-transformer's `plainToInstance` in place of a message
 * class, so that the message is rebuilt without calling its constructor: a
 * constructor belongs to the code that fires (it may take arguments, read
 * them, or throw without them), and the payload already holds every property
 * it set. `new target()` returns `Object.create(cls.prototype)`, a blank
 * instance of `cls` (methods, `instanceof`, and `constructor === cls`, which
 * class-validator keys its metadata on).
 *
 * What class-transformer decides from the class stays the same (checked
 * against class-transformer 0.5's TransformOperationExecutor and
 * MetadataStorage): property metadata (`@Type`, `@Transform`, `@Expose`,
 * `@Exclude`) is looked up on the target and then its ancestors, and the
 * target's first ancestor is `cls`; the class-level strategy is read from the
 * target alone, so `cls`'s own `@Expose()`/`@Exclude()` is declared on the
 * target too; the getter/method skip reads `instance.constructor.prototype`,
 * which is `cls.prototype`. One difference remains: lists of exposed
 * properties come with `cls`'s own first rather than after its ancestors',
 * which only changes the order in which such properties are set when they are
 * added beyond the payload's keys (a class-level `@Exclude()`, or an exposed
 * property the payload lacks). Nested `@Type` classes are left to
 * class-transformer, which constructs them with no arguments.
 *
 * One target per class, made on first use and cached.
 */
export function unconstructedTarget<T extends object>(cls: abstract new (...args: never[]) => T): new () => T {
  let target = targets.get(cls);
  if (!target) {
    target = makeTarget(cls);
    targets.set(cls, target);
  }
  return target as new () => T;
}

const targets = new WeakMap<object, new () => object>();

function makeTarget(cls: abstract new (...args: never[]) => object): new () => object {
  const prototype = cls.prototype as object;
  // A plain function (not `class extends cls`, which must call super()): `new`
  // gives back the object it returns, and `cls` never runs.
  const target = function () {
    return Object.create(prototype) as object;
  } as unknown as new () => object;
  // Statics, and class-transformer's ancestor walk (via `Object.getPrototypeOf`), go through `cls`.
  Object.setPrototypeOf(target, cls);
  const strategy = storage.getStrategy(cls as unknown as () => void);
  if (strategy === 'excludeAll') Exclude()(target);
  else if (strategy === 'exposeAll') Expose()(target);
  return target;
}
