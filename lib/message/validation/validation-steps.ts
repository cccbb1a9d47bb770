import type { ValidationArguments } from 'class-validator';
import type { CheckOptions } from './check-options.js';
import type { ConstraintPlan } from './class-validation-plan.js';
import { INVALID, UNDECIDED, VALID, type ValidationVerdict } from './validation-verdict.js';

/** class-validator's verdict on one instance of a class, without its executor. */
export type ClassCheck = (object: object) => ValidationVerdict;

/** A step that checks one property of an object, given its value. */
export type PropertyStep = (object: object, value: unknown) => ValidationVerdict;

/** What a class's check needs from its owner at run time. */
export interface CheckRuntime {
  options: CheckOptions;
  /** The verdict on a nested object: the check of its own class (`value.constructor`), as class-validator recurses. */
  nested(value: object): ValidationVerdict;
  /** A constraint of `cls` declared sync returned a promise: from now on only validate() can check `cls`. */
  gotPromise(cls: object, constraint: string): void;
}

/** The verdict on what a constraint's `validate()` returned (`true` is handled inline by the callers). */
export type ResultVerdict = (result: unknown, constraint: string) => ValidationVerdict;

/** ValidationExecutor: a falsy result fails, a promise is awaited, anything else passes. */
export function resultVerdict(cls: object, runtime: CheckRuntime): ResultVerdict {
  return (result, constraint) => {
    if (!result) return INVALID;
    if (!isPromise(result)) return VALID;
    // Declared sync, answered async: validate() runs it again and awaits it.
    result.then(undefined, ignore);
    runtime.gotPromise(cls, constraint);
    return UNDECIDED;
  };
}

/**
 * ValidationExecutor.customValidations for one metadata, in full: its
 * `validateIf`, then each constraint on the value, or with `each` on every
 * item of an array, Set or Map (as convertToArray gives them).
 */
export function constraintStep(plan: ConstraintPlan, targetName: string, verdictOf: ResultVerdict): PropertyStep {
  const { property, constraints, validators, names, each, validateIf } = plan;
  return (object, value) => {
    if (validateIf && !validateIf(object, value)) return VALID;
    for (let i = 0; i < validators.length; i++) {
      const validator = validators[i]!;
      const args: ValidationArguments = { targetName, property, object, value, constraints };
      let verdict: ValidationVerdict = VALID;
      if (!each || !(Array.isArray(value) || value instanceof Set || value instanceof Map)) {
        const result = validator.validate(value, args);
        if (result !== true) verdict = verdictOf(result, names[i]!);
      } else if (Array.isArray(value)) {
        for (let k = 0; k < value.length && verdict === VALID; k++) {
          const item: unknown = value[k];
          if (item === undefined && !(k in value)) continue; // map() skips holes
          const result = validator.validate(item, args);
          if (result !== true) verdict = verdictOf(result, names[i]!);
        }
      } else {
        for (const item of value instanceof Map ? value.values() : value) {
          const result = validator.validate(item, args);
          if (result !== true) verdict = verdictOf(result, names[i]!);
          if (verdict !== VALID) break;
        }
      }
      if (verdict !== VALID) return verdict;
    }
    return VALID;
  };
}

/**
 * ValidationExecutor.nestedValidations for a defined value: arrays, Sets and
 * Maps item by item (an item only meets the skip options and this recursion),
 * any other object through the check of its own class, anything else invalid.
 */
export function nestedStep(runtime: CheckRuntime): (value: unknown) => ValidationVerdict {
  const { skipNull } = runtime.options;
  const item = (value: unknown): ValidationVerdict => (value === undefined || (value === null && skipNull) ? VALID : check(value));
  const check = (value: unknown): ValidationVerdict => {
    if (Array.isArray(value)) {
      // forEach skips holes; a hole reads undefined, which passes anyway
      for (let k = 0; k < value.length; k++) {
        const verdict = item(value[k]);
        if (verdict !== VALID) return verdict;
      }
      return VALID;
    }
    if (value instanceof Set) {
      for (const entry of value) {
        const verdict = item(entry);
        if (verdict !== VALID) return verdict;
      }
      return VALID;
    }
    if (value instanceof Map) {
      for (const [key, entry] of value) {
        (key as { toString(): string }).toString(); // the executor names the item by its key (and throws where that throws)
        const verdict = item(entry);
        if (verdict !== VALID) return verdict;
      }
      return VALID;
    }
    if (value instanceof Object) return runtime.nested(value);
    return INVALID; // "nested property must be either object or array"
  };
  return check;
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function ignore(): void {}
