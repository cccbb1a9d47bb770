import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validate, type ValidatorOptions } from 'class-validator';
import { MessagioValidationError } from '../errors/messagio-validation.error.js';
import { flatToInstance, flatToPlain } from './flat-messages.js';
import type { Messagio, MessagioClass } from './messagio.js';

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
 */
export class MessagioCodec {
  constructor(private readonly options: CodecOptions) {}

  async encode(message: Messagio, typeName: string): Promise<Record<string, unknown>> {
    await this.check(message, typeName);
    return flatToPlain(message) ?? (instanceToPlain(message) as Record<string, unknown>);
  }

  async decode<T extends Messagio>(cls: MessagioClass<T>, typeName: string, payload: Record<string, unknown>): Promise<T> {
    const message = flatToInstance(cls, payload) ?? plainToInstance(cls, payload);
    await this.check(message, typeName);
    return message;
  }

  private async check(message: Messagio, typeName: string): Promise<void> {
    if (!this.options.validate) return;
    const errors = await validate(message, this.options.validation);
    if (errors.length > 0) throw new MessagioValidationError(typeName, errors);
  }
}
