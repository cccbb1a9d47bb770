import { MessagioError } from './messagio.error.js';

/** Why a `Messagio` instance cannot be fired (its payload cannot go through JSON). */
export interface MessagioInvalidMessageDetail {
  /** Wire name of the message type. */
  messageType: string;
  /** What is wrong, as the end of a sentence. */
  reason: string;
  /** Dotted path of the offending property, when found. */
  property?: string;
}

/**
 * `fire()` was given something that is not an instance of a `Messagio`
 * subclass (a plain object, a class, null...), or a message whose payload JSON
 * cannot hold (a BigInt, a cycle): then `messageType`, `property` and `reason`
 * say which and where. Nothing was stored.
 * @publicApi
 */
export class MessagioInvalidMessageError extends MessagioError {
  readonly messageType?: string;
  readonly property?: string;
  readonly reason?: string;

  constructor(
    readonly value: unknown,
    detail?: MessagioInvalidMessageDetail,
    options?: { cause?: unknown },
  ) {
    super(
      detail
        ? `${detail.messageType} cannot be fired: ${detail.property !== undefined ? `property "${detail.property}" ` : ''}${detail.reason}. Nothing was stored.`
        : `Only instances of a Messagio subclass can be fired; got ${describe(value)}. ` +
            `Declare "class MyMessage extends Messagio { ... }" and fire "new MyMessage(...)".`,
      options,
    );
    if (detail) {
      this.messageType = detail.messageType;
      this.property = detail.property;
      this.reason = detail.reason;
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `the class/function ${value.name || '(anonymous)'} itself`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}
