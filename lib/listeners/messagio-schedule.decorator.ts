import type { MessagioScheduleSpec } from '../contract/schedule.types.js';

/** Metadata key of `@MessagioSchedule`. */
export const MESSAGIO_SCHEDULE_METADATA = 'messagio:schedule';

/** One `@MessagioSchedule` on a method. */
export interface MessagioScheduleMetadata {
  id: string;
  spec: MessagioScheduleSpec;
}

/**
 * Fires the message a provider method returns on a schedule, once per tick
 * across every instance of the app (BullMQ job schedulers), not once per
 * instance as a per-process cron would. Each instance declares the same
 * schedule at bootstrap; that is idempotent.
 *
 * ```ts
 * @MessagioSchedule('daily-report', { cron: '0 6 * * *', tz: 'Europe/Paris' })
 * dailyReport(): DailyReport {
 *   return new DailyReport(new Date().toISOString().slice(0, 10));
 * }
 * ```
 * The method takes no argument and returns the message (or a promise of it);
 * it must be on a singleton provider. A method may carry several schedules.
 * @publicApi
 */
export function MessagioSchedule(id: string, spec: MessagioScheduleSpec): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(MESSAGIO_SCHEDULE_METADATA, method) as MessagioScheduleMetadata[] | undefined) ?? [];
    Reflect.defineMetadata(MESSAGIO_SCHEDULE_METADATA, [{ id, spec }, ...existing], method);
    return descriptor;
  };
}

/** The `@MessagioSchedule` decorators of a method, or undefined. */
export function scheduleMetadataOf(method: unknown): MessagioScheduleMetadata[] | undefined {
  if (typeof method !== 'function') return undefined;
  const metadata = Reflect.getMetadata(MESSAGIO_SCHEDULE_METADATA, method) as MessagioScheduleMetadata[] | undefined;
  return metadata?.length ? metadata : undefined;
}
