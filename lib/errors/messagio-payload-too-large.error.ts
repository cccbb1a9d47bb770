import { MessagioError } from './messagio.error.js';

/**
 * A fired message's payload is bigger than `maxPayloadBytes`. Store large data
 * elsewhere (a blob store, a database row) and fire a reference to it.
 * @publicApi
 */
export class MessagioPayloadTooLargeError extends MessagioError {
  constructor(
    readonly messageType: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`${messageType} payload is ${bytes} bytes, more than maxPayloadBytes (${maxBytes}); fire a reference to large data instead.`);
  }
}
