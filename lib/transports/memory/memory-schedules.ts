import type { MessagioScheduleInfo, StoredScheduleSpec } from '../../contract/schedule.types.js';
import type { MessagioClock } from '../clock.js';
import { ClockTimer } from '../clock-timer.js';
import { firstTick, nextTick } from '../schedule-timing.js';

/** One schedule kept in memory, and its next tick. */
export interface MemorySchedule {
  id: string;
  spec: StoredScheduleSpec;
  /** Its spec as JSON: the same upsert again changes nothing. */
  key: string;
  /** Time of its first tick: `every` keeps its phase. */
  first: number;
  /** Time the next tick is due; undefined once the schedule ended. */
  next: number | undefined;
  /** Ticks planned so far (the next one included). */
  iterations: number;
  timer: ClockTimer | undefined;
  /** The next tick fell due while nothing consumed: it runs once consumers run. */
  due: boolean;
}

/**
 * The schedules of the in-memory transport, on its clock, with BullMQ's job
 * scheduler semantics (schedule-timing.ts): one pending tick per schedule at
 * a time; the tick after it is planned when it starts, from the time it
 * starts; a tick due while nothing consumes waits for consumers (ticks missed
 * meanwhile are skipped, not replayed).
 */
export class MemorySchedules {
  private readonly schedules = new Map<string, MemorySchedule>();

  constructor(
    private readonly clock: MessagioClock,
    /** Arms timers outside whoever called (see memory.transport.ts `detached`). */
    private readonly arm: (fn: () => void, ms: number) => ClockTimer,
    /** A tick fell due: run it now, or return false to keep it due. */
    private readonly onDue: (schedule: MemorySchedule) => boolean,
  ) {}

  get size(): number {
    return this.schedules.size;
  }

  upsert(id: string, spec: StoredScheduleSpec): void {
    const key = JSON.stringify(spec);
    const existing = this.schedules.get(id);
    if (existing?.key === key) return;
    if (existing) existing.timer?.cancel();
    const first = firstTick(spec, this.clock.now());
    const schedule: MemorySchedule = { id, spec, key, first: first ?? 0, next: first, iterations: first === undefined ? 0 : 1, timer: undefined, due: false };
    this.schedules.set(id, schedule);
    this.plan(schedule);
  }

  remove(id: string): boolean {
    const schedule = this.schedules.get(id);
    if (!schedule) return false;
    schedule.timer?.cancel();
    this.schedules.delete(id);
    return true;
  }

  list(): MessagioScheduleInfo[] {
    return [...this.schedules.values()].map(({ id, spec, next, iterations }) => ({
      id,
      ...spec,
      ...(next !== undefined ? { next: new Date(next) } : {}),
      iterations,
    }));
  }

  /** Every schedule, as it stands, for another transport to adopt (the test transport's reset). */
  all(): MemorySchedule[] {
    return [...this.schedules.values()];
  }

  /** Takes over schedules as they stand (next tick, ticks so far), their timers armed on this clock. */
  adopt(schedules: MemorySchedule[]): void {
    for (const schedule of schedules) {
      schedule.timer?.cancel();
      this.schedules.set(schedule.id, schedule);
      if (schedule.due && this.onDue(schedule)) schedule.due = false;
      else if (!schedule.due) this.plan(schedule);
    }
  }

  /** Runs the ticks that fell due while nothing consumed (consumers started or resumed). */
  runDue(): void {
    for (const schedule of this.schedules.values()) if (schedule.due && this.onDue(schedule)) schedule.due = false;
  }

  /**
   * A tick of `schedule` starts: plans the one after it (as BullMQ does when a
   * worker takes a tick) and returns the time it was due.
   */
  take(schedule: MemorySchedule): number {
    const at = schedule.next!;
    const limited = schedule.spec.limit !== undefined && schedule.iterations >= schedule.spec.limit;
    schedule.next = limited ? undefined : nextTick(schedule.spec, schedule.first, at, this.clock.now());
    if (schedule.next !== undefined) schedule.iterations++;
    this.plan(schedule);
    return at;
  }

  /** Drops every timer (close). */
  clear(): void {
    for (const schedule of this.schedules.values()) schedule.timer?.cancel();
    this.schedules.clear();
  }

  private plan(schedule: MemorySchedule): void {
    schedule.timer = undefined;
    if (schedule.next === undefined) return;
    schedule.timer = this.arm(
      () => {
        schedule.timer = undefined;
        if (this.schedules.get(schedule.id) !== schedule) return;
        if (!this.onDue(schedule)) schedule.due = true;
      },
      Math.max(0, schedule.next - this.clock.now()),
    );
  }
}
