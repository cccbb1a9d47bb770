/**
 * What a compiled check says about an object. Only `VALID` is final: for the
 * other two the codec runs class-validator's `validate()`, which decides and
 * builds the errors.
 */
export const VALID = 0;
/** A constraint failed (validate() is expected to report it). */
export const INVALID = 1;
/** The compiled check cannot tell (a promise, a value it does not model, an exception): validate() decides. */
export const UNDECIDED = 2;

export type ValidationVerdict = typeof VALID | typeof INVALID | typeof UNDECIDED;
