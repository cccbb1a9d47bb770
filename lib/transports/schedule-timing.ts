import { CronExpressionParser } from 'cron-parser';
import type { MessagioScheduleSpec, StoredScheduleSpec } from '../contract/schedule.types.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

// When a schedule ticks, as BullMQ's job schedulers compute it (its Lua
// `getJobSchedulerEveryNextMillis` and `getNextMillis` over the same
// cron-parser), for the transports that keep schedules in this process
// (memory, the test harness): a schedule ticks at the same times whichever
// transport runs it (test/unit/schedule-timing.spec.ts compares them).

/** Longest schedule id: its ticks' message ids (`<id>@<epoch ms>`) stay within the 128 characters of a fire id. */
export const MAX_SCHEDULE_ID_LENGTH = 100;

// What fire() accepts in a message id (see delivery/fire-id.ts): printable ASCII without space, ':' or '|'.
const SCHEDULE_ID = /^[!-9;-{}~]+$/;

/** Throws `MessagioConfigurationError` unless `id` can name a schedule. */
export function checkScheduleId(id: unknown): asserts id is string {
  if (typeof id === 'string' && id.length <= MAX_SCHEDULE_ID_LENGTH && SCHEDULE_ID.test(id)) return;
  throw new MessagioConfigurationError(
    `A schedule id must be 1 to ${MAX_SCHEDULE_ID_LENGTH} printable ASCII characters without spaces, ':' or '|', got ${JSON.stringify(id)}.`,
  );
}

/** A schedule's spec checked, its dates as epoch milliseconds; throws `MessagioConfigurationError` naming what is wrong. */
export function resolveScheduleSpec(id: string, spec: MessagioScheduleSpec): StoredScheduleSpec {
  const where = `Schedule "${id}"`;
  if (spec === null || typeof spec !== 'object') throw new MessagioConfigurationError(`${where}: the schedule must be an object, got ${String(spec)}.`);
  const { every, cron, tz, limit } = spec;
  if ((every === undefined) === (cron === undefined)) {
    throw new MessagioConfigurationError(`${where}: give exactly one of \`every\` (milliseconds) or \`cron\` (a pattern).`);
  }
  const stored: StoredScheduleSpec = {};
  if (every !== undefined) {
    if (typeof every !== 'number' || !Number.isInteger(every) || every < 1) {
      throw new MessagioConfigurationError(`${where}: every must be a whole number of milliseconds ≥ 1, got ${String(every)}.`);
    }
    if (tz !== undefined) throw new MessagioConfigurationError(`${where}: tz applies to a cron pattern, not to every.`);
    stored.every = every;
  }
  if (tz !== undefined) {
    if (typeof tz !== 'string' || !isTimeZone(tz)) throw new MessagioConfigurationError(`${where}: tz must be an IANA time zone such as 'Europe/Paris', got ${JSON.stringify(tz)}.`);
    stored.tz = tz;
  }
  if (cron !== undefined) {
    try {
      if (typeof cron !== 'string') throw new Error('not a string');
      CronExpressionParser.parse(cron, tz !== undefined ? { tz } : {});
    } catch (error) {
      throw new MessagioConfigurationError(`${where}: cron ${JSON.stringify(cron)} is not a cron pattern (${(error as Error).message}).`, { cause: error });
    }
    stored.cron = cron;
  }
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw new MessagioConfigurationError(`${where}: limit must be a whole number ≥ 1, got ${String(limit)}.`);
    stored.limit = limit;
  }
  const start = dateOf(spec.startDate, `${where}: startDate`);
  const end = dateOf(spec.endDate, `${where}: endDate`);
  if (start !== undefined) stored.startDate = start;
  if (end !== undefined) stored.endDate = end;
  if (start !== undefined && end !== undefined && end <= start) throw new MessagioConfigurationError(`${where}: endDate must come after startDate.`);
  return stored;
}

/** The first tick of a new schedule at `now`, or undefined when it would never tick. */
export function firstTick(spec: StoredScheduleSpec, now: number): number | undefined {
  if (spec.endDate !== undefined && now > spec.endDate) return undefined;
  if (spec.every !== undefined) return spec.startDate !== undefined ? Math.max(spec.startDate, now) : now;
  const next = nextCron(spec, now);
  return next === undefined ? undefined : Math.max(next, now);
}

/**
 * The tick after the one due at `prev`, planned when that one runs at `now`
 * (BullMQ plans it when a worker takes the tick): `every` keeps the phase of
 * the first tick and skips the ticks missed meanwhile; a cron pattern gives
 * its next time after both.
 */
export function nextTick(spec: StoredScheduleSpec, first: number, prev: number, now: number): number | undefined {
  if (spec.endDate !== undefined && now > spec.endDate) return undefined;
  const every = spec.every;
  if (every === undefined) return nextCron(spec, Math.max(now, prev));
  const offset = first - Math.floor(first / every) * every;
  const next = prev + every;
  if (next >= now) return next;
  const aligned = Math.floor(now / every) * every + offset;
  return aligned <= now ? aligned + every : aligned;
}

function nextCron(spec: StoredScheduleSpec, from: number): number | undefined {
  const currentDate = new Date(spec.startDate !== undefined && spec.startDate > from ? spec.startDate : from);
  try {
    return CronExpressionParser.parse(spec.cron!, {
      currentDate,
      ...(spec.tz !== undefined ? { tz: spec.tz } : {}),
      ...(spec.endDate !== undefined ? { endDate: new Date(spec.endDate) } : {}),
    })
      .next()
      .getTime();
  } catch {
    return undefined; // past endDate: no next time
  }
}

function dateOf(value: Date | number | string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time = value instanceof Date ? value.getTime() : typeof value === 'number' || typeof value === 'string' ? new Date(value).getTime() : NaN;
  if (!Number.isFinite(time)) throw new MessagioConfigurationError(`${name} must be a Date, epoch milliseconds or an ISO date string, got ${String(value)}.`);
  return time;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
