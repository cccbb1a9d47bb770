import { MessagioError } from './messagio.error.js';

/** Why a queued delivery could not be turned back into a message. */
export type MessagioEnvelopeProblem =
  | 'malformed'
  | 'unsupported-version'
  | 'unknown-type'
  | 'unknown-listener'
  | 'listener-type-mismatch'
  | 'forbidden-key'
  | 'too-deep'
  | 'payload-too-large'
  | 'unbuildable'
  | 'unsupported-message-version'
  | 'upcast-failed';

/**
 * A job's data is not a delivery this process can run: not an envelope (or a
 * `firedAt` that is not an ISO-8601 date and time), an unsupported envelope
 * version, a type or listener this process does not know, or a payload carrying
 * a forbidden key, nested too deep, too large, or that class-transformer cannot
 * turn into the message class (`cause` holds its error); a message version
 * newer than this process's class (`unsupported-message-version`), or an
 * upcaster that threw or returned no object (`upcast-failed`). The delivery fails at
 * once, without retries, and the worker goes on with the next one.
 * @publicApi
 */
export class MessagioEnvelopeError extends MessagioError {
  constructor(
    readonly problem: MessagioEnvelopeProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
