import { planClass, type Condition, type ConstraintPlan, type ConstraintValidator, type PropertyPlan } from './class-validation-plan.js';
import { constraintStep, nestedStep, resultVerdict, type CheckRuntime, type ClassCheck, type PropertyStep } from './validation-steps.js';
import { INVALID, VALID } from './validation-verdict.js';

/** The check, or why only class-validator's validate() can check this class. */
export type CompiledClass = { check: ClassCheck; properties: number } | { unsupported: string };

const valid: ClassCheck = () => VALID;
const invalid: ClassCheck = () => INVALID;

/**
 * Compiles the class-validator metadata of `cls` (class-validation-plan.ts)
 * into one function that gives ValidationExecutor's verdict by calling the
 * very functions it would call, in its order: every `IsOptional`/`ValidateIf`
 * condition, `IsDefined`, the skip options, each constraint's
 * `validate(value, args)` with the same arguments, then nested values through
 * their own class's check. It skips what only builds errors (grouping,
 * ValidationError objects, messages, promises).
 *
 * A check that answers VALID has called every function validate() would
 * call, on the same values. Once something fails it stops: validate() runs
 * next and reports everything.
 */
export function compileClass(cls: object, runtime: CheckRuntime): CompiledClass {
  const plan = planClass(cls, runtime.options);
  if ('unsupported' in plan) return plan;
  // forbidUnknownValues: an object whose class has no metadata at all is an error.
  if (plan.metadatas === 0) return { check: runtime.options.forbidUnknownValues ? invalid : valid, properties: 0 };
  return { check: generateCheck(cls, plan.properties, runtime), properties: plan.properties.length };
}

/**
 * The check as straight-line code, one block per property. Each constraint
 * call gets a call site of its own, so V8 can inline it: that is most of the
 * gain over calling the constraints from a loop. The source holds fixed text
 * and indices only: every name, constraint and function reaches it as an
 * argument, nothing from the metadata is ever part of the code.
 */
function generateCheck(cls: object, properties: PropertyPlan[], runtime: CheckRuntime): ClassCheck {
  const keys: string[] = [];
  const conditions: Condition[] = [];
  const validators: ConstraintValidator[] = [];
  const names: string[] = [];
  const propertyArgs: string[] = [];
  const constraintArgs: unknown[][] = [];
  const steps: PropertyStep[] = [];
  const targetName = (cls as { name?: string }).name!;
  const verdictOf = resultVerdict(cls, runtime);
  const { skipUndefined, skipNull } = runtime.options;

  const emitConstraint = (plan: ConstraintPlan): string => {
    if (plan.each || plan.validateIf) {
      steps.push(constraintStep(plan, targetName, verdictOf));
      return `if ((verdict = s${steps.length - 1}(object, value)) !== ${VALID}) return verdict;\n`;
    }
    let source = '';
    plan.validators.forEach((validator, i) => {
      const n = validators.push(validator) - 1;
      names.push(plan.names[i]!);
      propertyArgs.push(plan.property);
      constraintArgs.push(plan.constraints);
      // A fresh arguments object per constraint, as the executor passes.
      source +=
        `result = f${n}.validate(value, { targetName: T, property: p${n}, object: object, value: value, constraints: a${n} });\n` +
        `if (result !== true && (verdict = verdictOf(result, m${n})) !== ${VALID}) return verdict;\n`;
    });
    return source;
  };

  let body = '';
  properties.forEach((property, index) => {
    const k = keys.push(property.key) - 1;
    body += `q${index}: {\nvalue = object[k${k}];\n`;
    if (property.conditions.length > 0) {
      // Every condition is called (the executor maps them all), then combined.
      body += 'canValidate = true;\n';
      for (const condition of property.conditions) body += `if (!c${conditions.push(condition) - 1}(object, value)) canValidate = false;\n`;
      body += `if (!canValidate) break q${index};\n`;
    }
    for (const plan of property.defined) body += emitConstraint(plan);
    if (skipUndefined) body += `if (value === undefined) break q${index};\n`;
    if (skipNull) body += `if (value === null) break q${index};\n`;
    for (const plan of property.custom) body += emitConstraint(plan);
    if (property.nested) body += `if (value !== undefined && (verdict = nested(value)) !== ${VALID}) return verdict;\n`;
    body += '}\n';
  });

  const bind = (letter: string, array: readonly unknown[], from: string) =>
    array.length ? `const ${array.map((_, i) => `${letter}${i} = ${from}[${i}]`).join(', ')};\n` : '';
  const source =
    "'use strict';\n" +
    bind('k', keys, 'K') +
    bind('c', conditions, 'C') +
    bind('f', validators, 'F') +
    bind('m', names, 'M') +
    bind('p', propertyArgs, 'P') +
    bind('a', constraintArgs, 'A') +
    bind('s', steps, 'S') +
    `return function check(object) {\nlet value, result, verdict, canValidate;\n${body}return ${VALID};\n};\n`;
  // Generated from fixed text and indices only (see above).
  const factory = new Function('K', 'C', 'F', 'M', 'P', 'A', 'S', 'T', 'verdictOf', 'nested', source);
  return factory(keys, conditions, validators, names, propertyArgs, constraintArgs, steps, targetName, verdictOf, nestedStep(runtime)) as ClassCheck;
}
