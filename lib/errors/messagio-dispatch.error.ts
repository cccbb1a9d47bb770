import { MessagioError } from './messagio.error.js';

/** One listener that failed for good during a synchronous fire. */
export interface MessagioListenerFailure {
  listener: string;
  attempts: number;
  error: Error;
}

/**
 * Raised by `fire(msg, { sync: true })` after every listener has run, when one
 * or more of them failed for good. The listeners that succeeded are not re-run.
 * @publicApi
 */
export class MessagioDispatchError extends MessagioError {
  constructor(
    readonly messageType: string,
    readonly messageId: string,
    readonly failures: MessagioListenerFailure[],
  ) {
    const list = failures
      .map((f) => `${f.listener} (after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}): ${f.error.name}: ${f.error.message}`)
      .join('; ');
    super(`${failures.length} listener(s) of ${messageType} [${messageId}] failed: ${list}`, {
      cause: failures[0]?.error,
    });
  }
}
