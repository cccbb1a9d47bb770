import { MessagioError } from './messagio.error.js';

/**
 * `receipt.wait({ timeout })` ran out of time before every delivery of the
 * message completed or failed for good. `pending` lists the listeners still
 * queued, delayed or running.
 * @publicApi
 */
export class MessagioTimeoutError extends MessagioError {
  constructor(
    readonly messageId: string,
    readonly timeout: number,
    readonly pending: string[],
  ) {
    super(`Message ${messageId} was not finished within ${timeout} ms; still pending: ${pending.join(', ')}.`);
  }
}
