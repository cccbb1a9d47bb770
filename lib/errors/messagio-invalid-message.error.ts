import { MessagioError } from './messagio.error.js';

/**
 * `fire()` was given something that is not an instance of a `Messagio`
 * subclass (a plain object, a class, null...).
 * @publicApi
 */
export class MessagioInvalidMessageError extends MessagioError {
  constructor(readonly value: unknown) {
    super(
      `Only instances of a Messagio subclass can be fired; got ${describe(value)}. ` +
        `Declare "class MyMessage extends Messagio { ... }" and fire "new MyMessage(...)".`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `the class/function ${value.name || '(anonymous)'} itself`;
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `a ${typeof value}`;
}
