import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validate, type ValidatorOptions } from 'class-validator';
import { MessagioEnvelopeError } from '../errors/messagio-envelope.error.js';
import { MessagioPayloadTooDeepError } from '../errors/messagio-payload-too-deep.error.js';
import { MessagioValidationError } from '../errors/messagio-validation.error.js';
import { flatToInstance, flatToPlain } from './flat-messages.js';
import { wireNameOf } from './messagio-type.decorator.js';
import type { Messagio, MessagioClass } from './messagio.js';
import { MAX_PAYLOAD_DEPTH, nestsTooDeep } from './payload-depth.js';
import { unconstructedTarget } from './unconstructed-target.js';
import { CompiledValidation } from './validation/compiled-validation.js';
import { INVALID, VALID, type ValidationVerdict } from './validation/validation-verdict.js';

// What `check` returns for a valid message: no promise allocated per call.
const CHECKED: Promise<void> = Promise.resolve();

/** Settings of the codec, fixed at bootstrap. */
export interface CodecOptions {
  validate: boolean;
  validation: ValidatorOptions;
}

/**
 * A real instance of `cls` from a payload, without calling `cls`'s constructor
 * (unconstructed-target.ts says why), and without validation. Flat messages
 * skip class-transformer with the same result (flat-messages.ts).
 */
export function rebuildMessage<T extends Messagio>(cls: MessagioClass<T>, payload: Record<string, unknown>): T {
  return flatToInstance(cls, payload) ?? plainToInstance(unconstructedTarget(cls), payload);
}

/**
 * Message ⇄ JSON-safe payload, and its validation. At fire the publisher
 * checks the instance then takes its own properties (`check`, `toPayload`);
 * on the worker the dispatcher rebuilds a real instance of a registered class
 * (never evaluating anything, never calling its constructor) and checks it
 * again (`rebuild`, `check`). One codec per app, built when the options are
 * resolved, so both sides share the compiled checks.
 *
 * Each half is synchronous but `check`, awaited only when `validates`: with
 * validation off a delivery has no await here.
 */
export class MessagioCodec {
  readonly validates: boolean;
  /** Per-class checks compiled from class-validator's metadata (validation/). */
  private readonly compiled: CompiledValidation | undefined;

  constructor(private readonly options: CodecOptions) {
    this.validates = options.validate;
    this.compiled = options.validate ? CompiledValidation.for(options.validation) : undefined;
  }

  /** Compiles the validation of a message class now (bootstrap) instead of at its first message. */
  prepare(cls: MessagioClass): void {
    this.compiled?.prepare(cls);
  }

  /**
   * The message's own properties, JSON-safe (no validation). Throws
   * `MessagioPayloadTooDeepError` for a payload no worker would accept.
   */
  toPayload(message: Messagio): Record<string, unknown> {
    // A flat payload is one level deep: only class-transformer's output needs the depth check.
    const flat = flatToPlain(message);
    if (flat) return flat;
    let payload: Record<string, unknown>;
    try {
      payload = instanceToPlain(message) as Record<string, unknown>;
    } catch (error) {
      // class-transformer recurses per level: a deep (or self-referring) message overflows its stack.
      if (error instanceof RangeError && nestsTooDeep(message)) throw tooDeep(message);
      throw error;
    }
    if (nestsTooDeep(payload)) throw tooDeep(message);
    return payload;
  }

  /**
   * A real instance of `cls` from a payload (no validation). Throws
   * `MessagioEnvelopeError('unbuildable')` when the payload does not fit the
   * class: class-transformer converts values for `@Type(() => Date)` and the
   * like, and runs setters and nested classes' constructors, any of which may
   * throw on stored data (`{ "toString": 1 }` cannot become a Date).
   */
  rebuild<T extends Messagio>(cls: MessagioClass<T>, payload: Record<string, unknown>): T {
    try {
      return rebuildMessage(cls, payload);
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : 'a non-Error value was thrown';
      throw new MessagioEnvelopeError(
        'unbuildable',
        `Payload cannot be rebuilt as ${wireNameOf(cls)} (${why}): the stored data does not fit the class, ` +
          'or a setter or a nested @Type class (constructed with no arguments) threw.',
        { cause: error },
      );
    }
  }

  /**
   * Rejects with `MessagioValidationError` when the message breaks its
   * constraints (if validation is on). The compiled check settles a valid
   * message synchronously; anything else goes to class-validator's
   * `validate()`, which decides and builds the errors.
   */
  check(message: Messagio, typeName: string): Promise<void> {
    return this.checkNow(message, typeName) ?? CHECKED;
  }

  /**
   * `check` that settles a valid message without a promise: `undefined` when
   * validation is off or the compiled check finds the message valid, else
   * the promise of `validate()`'s verdict (rejecting with `MessagioValidationError`).
   */
  checkNow(message: Messagio, typeName: string): Promise<void> | undefined {
    if (!this.compiled) return undefined;
    const verdict = this.compiled.verdict(message);
    return verdict === VALID ? undefined : this.validateFully(message, typeName, verdict);
  }

  private async validateFully(message: Messagio, typeName: string, verdict: ValidationVerdict): Promise<void> {
    const errors = await validate(message, this.options.validation);
    if (errors.length > 0) throw new MessagioValidationError(typeName, errors);
    if (verdict === INVALID) this.compiled?.disagreed(message);
  }
}

function tooDeep(message: Messagio): MessagioPayloadTooDeepError {
  return new MessagioPayloadTooDeepError(wireNameOf(message.constructor as MessagioClass), MAX_PAYLOAD_DEPTH);
}
