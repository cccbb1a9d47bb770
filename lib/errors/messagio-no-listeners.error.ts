import { MessagioError } from './messagio.error.js';

/**
 * Raised with `strict: true` when a message type has no listener; without
 * `strict` the publisher logs one warning per type and returns an empty receipt.
 * @publicApi
 */
export class MessagioNoListenersError extends MessagioError {
  constructor(readonly messageType: string) {
    super(`No listener is subscribed to ${messageType} (strict mode): nothing would handle it.`);
  }
}
