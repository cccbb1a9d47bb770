import { MessagioError } from './messagio.error.js';

/**
 * A schedule's factory threw when a tick asked it for its message: the tick
 * fired nothing. `cause` holds what it threw. The tick fails for good, with a
 * `MessagioFault`; the next tick asks again.
 * @publicApi
 */
export class MessagioScheduleError extends MessagioError {
  constructor(
    readonly schedule: string,
    cause: unknown,
  ) {
    super(`The factory of schedule "${schedule}" threw instead of returning its message: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
