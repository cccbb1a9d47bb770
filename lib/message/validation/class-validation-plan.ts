import { getMetadataStorage, ValidationTypes, type MetadataStorage, type ValidationArguments } from 'class-validator';
import type { CheckOptions } from './check-options.js';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** An `IsOptional`/`ValidateIf` condition, or a decorator's `validateIf` option. */
export type Condition = (object: object, value: unknown) => unknown;

/** A constraint instance, as class-validator's container gives it. */
export interface ConstraintValidator {
  validate(value: unknown, args: ValidationArguments): unknown;
}

/** One custom (or `IsDefined`) metadata: what ValidationExecutor.customValidations runs for it. */
export interface ConstraintPlan {
  /** `metadata.propertyName`, passed as `args.property`. */
  property: string;
  /** `metadata.constraints`, passed as `args.constraints`. */
  constraints: unknown[];
  /** The instances of its constraint class(es), taken from class-validator's container once. */
  validators: ConstraintValidator[];
  /** Their constraint names (for the logs). */
  names: string[];
  each: boolean;
  validateIf: Condition | undefined;
}

/** ValidationExecutor.performValidations for one property. */
export interface PropertyPlan {
  key: string;
  conditions: Condition[];
  /** `IsDefined`: runs before the skip options. */
  defined: ConstraintPlan[];
  custom: ConstraintPlan[];
  /** At least one `ValidateNested`. */
  nested: boolean;
}

/** What class-validator would check on an instance of a class, or why this code cannot reproduce it. */
export type ClassPlan = { metadatas: number; properties: PropertyPlan[] } | { unsupported: string };

/**
 * Reads the class-validator metadata of `cls` with the very calls
 * ValidationExecutor.execute makes (`getTargetValidationMetadatas` with the
 * options' groups, `always` and `strictGroups`; `getTargetValidatorConstraints`
 * per constraint class), grouped by property as it groups them.
 */
export function planClass(cls: object, options: CheckOptions): ClassPlan {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls as () => void, '', options.always, options.strictGroups, options.groups);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of metadatas) {
    const key = metadata.propertyName as PropertyKey;
    // class-validator groups by property in a plain object: a symbol key is
    // never visited, and a name inherited from Object.prototype makes validate() throw.
    if (typeof key === 'symbol') continue;
    const name = String(key);
    if (name in Object.prototype) return { unsupported: `property '${name}' shadows Object.prototype` };
    const list = byProperty.get(name);
    if (list) list.push(metadata);
    else byProperty.set(name, [metadata]);
  }
  const properties: PropertyPlan[] = [];
  for (const [key, list] of byProperty) {
    const plan = planProperty(key, list);
    if (typeof plan === 'string') return { unsupported: `${key}: ${plan}` };
    properties.push(plan);
  }
  return { metadatas: metadatas.length, properties };
}

function planProperty(key: string, metadatas: ValidationMetadata[]): PropertyPlan | string {
  const plan: PropertyPlan = { key, conditions: [], defined: [], custom: [], nested: false };
  for (const metadata of metadatas) {
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION: {
        const condition = (metadata.constraints as unknown[] | undefined)?.[0];
        if (typeof condition !== 'function') return 'a condition that is not a function';
        plan.conditions.push(condition as Condition);
        break;
      }
      case ValidationTypes.IS_DEFINED:
      case ValidationTypes.CUSTOM_VALIDATION: {
        const constraint = planConstraint(metadata);
        if (typeof constraint === 'string') return constraint;
        if (constraint) (metadata.type === ValidationTypes.IS_DEFINED ? plan.defined : plan.custom).push(constraint);
        break;
      }
      case ValidationTypes.NESTED_VALIDATION:
        plan.nested = true;
        break;
      case ValidationTypes.WHITELIST:
        break; // @Allow: only whitelisting reads it
      default:
        return `metadata type '${metadata.type}' is not compiled`; // e.g. @ValidatePromise
    }
  }
  return plan;
}

/** `undefined` when the metadata checks nothing (its class has no registered constraint and no validateIf to call). */
function planConstraint(metadata: ValidationMetadata): ConstraintPlan | string | undefined {
  const validateIf = metadata.validateIf as Condition | undefined; // class-validator 0.15; absent in 0.14
  const validators: ConstraintValidator[] = [];
  const names: string[] = [];
  for (const constraint of getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls)) {
    if (constraint.async) return `async constraint '${constraint.name}'`;
    const instance = constraint.instance as unknown as Partial<ConstraintValidator> | undefined;
    if (typeof instance?.validate !== 'function') return `constraint '${constraint.name}' has no validate()`;
    validators.push(instance as ConstraintValidator);
    names.push(constraint.name);
  }
  if (validators.length === 0 && !validateIf) return undefined;
  return { property: metadata.propertyName, constraints: metadata.constraints, validators, names, each: !!metadata.each, validateIf };
}
