import { MessagioError } from './messagio.error.js';

/**
 * A guard of the listener (`@UseGuards`, `APP_GUARD`, `app.useGlobalGuards()`)
 * returned false for this delivery. The delivery fails for good, without
 * retries (a guard's verdict on the same message does not change), and a
 * `MessagioFault` is fired for it. `guards` names every guard that applies to
 * the listener, in the order Nest runs them (global, class, method): Nest does
 * not say which one refused.
 * @publicApi
 */
export class MessagioForbiddenError extends MessagioError {
  constructor(
    readonly listener: string,
    readonly guards: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `A guard refused the delivery to listener "${listener}" (its guards: ${guards.join(', ')}); it is failed without retries. ` +
        'Fix what the guard checks (the message, its headers) and retry it with MessagioAdmin, or drop the guard from this listener.',
      options,
    );
  }
}
