import { Logger } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { checkOptionsOf } from './check-options.js';
import { compileClass } from './validation-compiler.js';
import type { CheckRuntime, ClassCheck } from './validation-steps.js';
import { UNDECIDED, type ValidationVerdict } from './validation-verdict.js';

interface ClassEntry {
  check: ClassCheck;
}

const undecided: ClassCheck = () => UNDECIDED;

// One per options object: the publisher's and the dispatcher's codecs share
// the module's `validation` options, and so each class's check and its log line.
const byOptions = new WeakMap<ValidatorOptions, CompiledValidation>();

/**
 * The compiled checks for one set of validator options: one per class, keyed
 * by constructor (as class-validator looks metadata up), compiled at
 * `prepare()` or on first use, never again. A class the compiler does not
 * support gets a check that always answers UNDECIDED, so its messages go
 * through class-validator's `validate()` as before. Each decision is logged
 * once, at debug level, naming the class and the reason.
 */
export class CompiledValidation {
  private readonly logger = new Logger('Messagio');
  private readonly entries = new WeakMap<object, ClassEntry>();
  private readonly runtime: CheckRuntime | undefined;
  /** Why no class can be compiled with these options (then every class uses validate()). */
  private readonly unsupported: string | undefined;
  private readonly disagreements = new WeakSet<object>();

  /** The compiled validation for these options (the same object gives the same instance). */
  static for(options: ValidatorOptions): CompiledValidation {
    let validation = byOptions.get(options);
    if (!validation) {
      validation = new CompiledValidation(options);
      byOptions.set(options, validation);
    }
    return validation;
  }

  constructor(options: ValidatorOptions) {
    const decided = checkOptionsOf(options);
    if ('unsupported' in decided) {
      this.unsupported = decided.unsupported;
    } else {
      this.runtime = {
        options: decided.options,
        nested: (value) => this.verdictOf(value),
        gotPromise: (cls, constraint) => this.fallBack(cls, `constraint '${constraint}' returned a promise`),
      };
    }
  }

  /** Compiles the check of `cls` now (at bootstrap) rather than on its first message. */
  prepare(cls: object): void {
    this.entryOf(cls);
  }

  /**
   * The verdict on `message` without class-validator's executor. Never
   * throws: a constraint that throws makes it UNDECIDED, and validate() then
   * throws (or not) exactly as it would have.
   */
  verdict(message: object): ValidationVerdict {
    try {
      return this.verdictOf(message);
    } catch {
      return UNDECIDED;
    }
  }

  /**
   * validate() found no error where the compiled check said INVALID: a
   * compiler bug. The message is valid (validate() is the reference); this is
   * said once per class.
   */
  disagreed(message: object): void {
    const cls = message.constructor as unknown;
    if (typeof cls !== 'function' || this.disagreements.has(cls)) return;
    this.disagreements.add(cls);
    this.logger.warn(
      `Validation of ${nameOf(cls)}: the compiled check rejected a message that class-validator's validate() accepts; ` +
        'the message was accepted. Please report it with the class and the validation options.',
    );
  }

  private verdictOf(value: object): ValidationVerdict {
    const cls = value.constructor as unknown;
    // class-validator reads the metadata of `value.constructor`: anything but a class is left to it.
    if (typeof cls !== 'function') return UNDECIDED;
    return (this.entries.get(cls) ?? this.entryOf(cls)).check(value);
  }

  private entryOf(cls: object): ClassEntry {
    let entry = this.entries.get(cls);
    if (entry) return entry;
    let reason = this.unsupported;
    let check: ClassCheck = undecided;
    if (this.runtime) {
      try {
        const compiled = compileClass(cls, this.runtime);
        if ('unsupported' in compiled) reason = compiled.unsupported;
        else {
          check = compiled.check;
          this.logger.debug(`Validation of ${nameOf(cls)}: compiled check (${compiled.properties} properties)`);
        }
      } catch (error) {
        reason = `compiling failed: ${(error as Error)?.message ?? String(error)}`;
      }
    }
    if (reason !== undefined) this.logger.debug(`Validation of ${nameOf(cls)}: class-validator's validate() (${reason})`);
    entry = { check };
    this.entries.set(cls, entry);
    return entry;
  }

  private fallBack(cls: object, reason: string): void {
    const entry = this.entryOf(cls);
    if (entry.check === undecided) return;
    entry.check = undecided;
    this.logger.debug(`Validation of ${nameOf(cls)}: class-validator's validate() from now on (${reason})`);
  }
}

function nameOf(cls: object): string {
  return (cls as { name?: string }).name || 'an anonymous class';
}
