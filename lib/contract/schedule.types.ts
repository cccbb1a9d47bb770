// Recurring messages as the scheduler (delivery/) and the transports share
// them: the plan of a schedule, one tick of it, and how a tick ended.

/**
 * When a schedule ticks: `every` milliseconds, or on a `cron` pattern (in
 * `tz`), between `startDate` and `endDate`, at most `limit` times.
 * @publicApi
 */
export interface MessagioScheduleSpec {
  /** Milliseconds between ticks; the first tick is at once (or at `startDate`). Not with `cron`. */
  every?: number;
  /** A cron pattern (5 fields, or 6 with seconds first), e.g. `'0 6 * * *'`. Not with `every`. */
  cron?: string;
  /** IANA time zone of `cron`, e.g. `'Europe/Paris'`. @default the process's */
  tz?: string;
  /** No tick before this time. */
  startDate?: Date | number | string;
  /** No tick after this time. */
  endDate?: Date | number | string;
  /** Most ticks, in all. */
  limit?: number;
}

/** A schedule as the transport stores it: the spec checked, dates as epoch milliseconds. */
export interface StoredScheduleSpec {
  every?: number;
  cron?: string;
  tz?: string;
  startDate?: number;
  endDate?: number;
  limit?: number;
}

/**
 * A schedule as `MessagioScheduler.list()` reads it back from the transport.
 * @publicApi
 */
export interface MessagioScheduleInfo extends StoredScheduleSpec {
  id: string;
  /** When the next tick is due; undefined once the schedule ended (`limit`, `endDate`). */
  next?: Date;
  /** Ticks made so far (the next one included, once it is planned). */
  iterations: number;
}

/** One tick of a schedule, handed by the transport to the scheduler. */
export interface ScheduleTick {
  /** The schedule's id. */
  schedule: string;
  /** The time the tick was due (epoch ms): with the id, it names the tick. */
  at: number;
  /** Id the transport stored the tick under (BullMQ: the job id). */
  id?: string;
  /** False when the transport will run this tick again if it fails (BullMQ retries a tick a few times). */
  lastAttempt: boolean;
}

/** How a tick ended; a failure the scheduler marks `retry` is run again by the transport, unless it was the last attempt. */
export type TickOutcome = { status: 'fired'; messageId: string } | { status: 'failed'; error: Error; retry: boolean };

/** Runs one tick (the scheduler); given to the transport at `start`. */
export type TickHandler = (tick: ScheduleTick) => Promise<TickOutcome>;
