import type { ValidatorOptions } from 'class-validator';

/** The validator options a compiled check honours, read once from the module's `validation`. */
export interface CheckOptions {
  groups: string[] | undefined;
  always: boolean;
  strictGroups: boolean;
  /** class-validator's default is true: only an explicit `false` turns it off. */
  forbidUnknownValues: boolean;
  /** skipUndefinedProperties or skipMissingProperties. */
  skipUndefined: boolean;
  /** skipNullProperties or skipMissingProperties. */
  skipNull: boolean;
}

// Options that change which errors validate() reports but never whether there
// is one: the compiled check only answers "valid?", validate() builds the
// errors. (stopAtFirstError skips a property's later constraints once one has
// failed: the property is invalid either way.)
const ERROR_SHAPE = new Set(['dismissDefaultMessages', 'validationError', 'stopAtFirstError', 'forbidNonWhitelisted']);
const HONOURED = new Set(['groups', 'always', 'strictGroups', 'forbidUnknownValues', 'skipUndefinedProperties', 'skipNullProperties', 'skipMissingProperties']);

/**
 * The options a compiled check runs with, or why these options need
 * class-validator's own `validate()` for every class.
 */
export function checkOptionsOf(options: ValidatorOptions): { options: CheckOptions } | { unsupported: string } {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || HONOURED.has(key) || ERROR_SHAPE.has(key)) continue;
    if (key === 'whitelist' && !value) continue;
    if (key === 'enableDebugMessages' && !value) continue;
    // whitelist strips (or, with forbidNonWhitelisted, rejects) undecorated
    // properties; enableDebugMessages may print; an option this code does not
    // know may change anything.
    return { unsupported: `validator option ${key}` };
  }
  return {
    options: {
      groups: options.groups,
      always: options.always || false,
      strictGroups: options.strictGroups || false,
      forbidUnknownValues: options.forbidUnknownValues !== false,
      skipUndefined: options.skipUndefinedProperties === true || options.skipMissingProperties === true,
      skipNull: options.skipNullProperties === true || options.skipMissingProperties === true,
    },
  };
}
