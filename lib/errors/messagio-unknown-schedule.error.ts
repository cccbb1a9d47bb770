import { MessagioError } from './messagio.error.js';

/**
 * A tick of a schedule reached a process that has no factory for it: the
 * schedule was upserted by another process (or by an older version of the
 * app) and never here. The tick fails for good, with a `MessagioFault`.
 * @publicApi
 */
export class MessagioUnknownScheduleError extends MessagioError {
  constructor(readonly schedule: string) {
    super(
      `A tick of schedule "${schedule}" reached this process, which has no factory for it. Upsert it (MessagioScheduler.upsert, or ` +
        `@MessagioSchedule) in every process that consumes the default queue, or remove it with MessagioScheduler.remove("${schedule}").`,
    );
  }
}
