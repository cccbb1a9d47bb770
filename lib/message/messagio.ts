import { currentPublisher } from './default-publisher.js';
import type { FireOptions } from './fire-options.js';
import type { MessagioReceipt } from './messagio-receipt.js';

/**
 * Base class of every message. A subclass is a message type; its own
 * properties are the payload, serialised with class-transformer and validated
 * with class-validator.
 *
 * ```ts
 * export class PerformAction extends Messagio {
 *   @IsString() actionName!: string;
 *   constructor(actionName: string) { super(); this.actionName = actionName; }
 * }
 * ```
 * @publicApi
 */
export abstract class Messagio {
  /**
   * Fire this message through the publisher of the initialised application
   * (messagio's `PerformAction(...).fire()`). Same as `publisher.fire(this, options)`.
   */
  async fire(options?: FireOptions): Promise<MessagioReceipt> {
    return currentPublisher().fire(this, options);
  }
}

/** A concrete message class (constructor arguments are free). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MessagioClass<T extends Messagio = Messagio> = new (...args: any[]) => T;
