import type { MessagioScheduleSpec } from '../contract/schedule.types.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { Messagio } from '../message/messagio.js';

/** A schedule found on a provider method: its id, when it ticks, and the method that makes its message. */
export interface DeclaredSchedule {
  id: string;
  spec: MessagioScheduleSpec;
  /** `Class.method`, for errors. */
  source: string;
  factory: () => Messagio | Promise<Messagio>;
}

/**
 * The `@MessagioSchedule` methods the explorer found at module init; the
 * scheduler upserts them at bootstrap. Two declarations of one id are a
 * configuration error (which one would a tick run?).
 */
export class DeclaredSchedules {
  private readonly schedules = new Map<string, DeclaredSchedule>();

  add(schedule: DeclaredSchedule): void {
    const existing = this.schedules.get(schedule.id);
    if (existing) {
      throw new MessagioConfigurationError(`@MessagioSchedule("${schedule.id}") is declared twice: on ${existing.source} and on ${schedule.source}. Give each its own id.`);
    }
    this.schedules.set(schedule.id, schedule);
  }

  list(): DeclaredSchedule[] {
    return [...this.schedules.values()];
  }
}
