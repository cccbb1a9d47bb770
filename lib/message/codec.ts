import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validate, type ValidatorOptions } from 'class-validator';
import { MessagioValidationError } from '../errors/messagio-validation.error.js';
import { flatToInstance, flatToPlain } from './flat-messages.js';
import type { Messagio, MessagioClass } from './messagio.js';
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
 * Message ⇄ JSON-safe payload. Encoding validates the instance then takes its
 * own properties; decoding rebuilds a real instance of a registered class
 * (never evaluating anything) and validates it again. Flat messages skip
 * class-transformer with the same result (flat-messages.ts).
 *
 * The hot paths call the synchronous halves (`toPayload`, `rebuild`) and await
 * `check` only when `validates`: with validation off a delivery has no await here.
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

  async encode(message: Messagio, typeName: string): Promise<Record<string, unknown>> {
    if (this.validates) await this.check(message, typeName);
    return this.toPayload(message);
  }

  async decode<T extends Messagio>(cls: MessagioClass<T>, typeName: string, payload: Record<string, unknown>): Promise<T> {
    const message = this.rebuild(cls, payload);
    if (this.validates) await this.check(message, typeName);
    return message;
  }

  /** The message's own properties, JSON-safe (no validation). */
  toPayload(message: Messagio): Record<string, unknown> {
    return flatToPlain(message) ?? (instanceToPlain(message) as Record<string, unknown>);
  }

  /** A real instance of `cls` from a payload (no validation). */
  rebuild<T extends Messagio>(cls: MessagioClass<T>, payload: Record<string, unknown>): T {
    return flatToInstance(cls, payload) ?? plainToInstance(cls, payload);
  }

  /**
   * Rejects with `MessagioValidationError` when the message breaks its
   * constraints (if validation is on). The compiled check settles a valid
   * message synchronously; anything else goes to class-validator's
   * `validate()`, which decides and builds the errors.
   */
  check(message: Messagio, typeName: string): Promise<void> {
    if (!this.compiled) return CHECKED;
    const verdict = this.compiled.verdict(message);
    return verdict === VALID ? CHECKED : this.validateFully(message, typeName, verdict);
  }

  private async validateFully(message: Messagio, typeName: string, verdict: ValidationVerdict): Promise<void> {
    const errors = await validate(message, this.options.validation);
    if (errors.length > 0) throw new MessagioValidationError(typeName, errors);
    if (verdict === INVALID) this.compiled?.disagreed(message);
  }
}
