import type { MessagioClock } from '../transports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock whose time only moves when told to. The test transport schedules
 * delays and retry waits on it, so a `retryDelay: 60_000` costs no wall time:
 * the harness moves the clock to the next timer once everything runnable has
 * run. Timers due at the same instant fire in the order they were set.
 */
export class VirtualClock implements MessagioClock {
  private current: number;
  private readonly timers = new Map<number, Timer>();
  private seq = 0;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): number {
    const handle = ++this.seq;
    this.timers.set(handle, { at: this.current + Math.max(0, Number(ms) || 0), seq: handle, fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Sync-mode retry waits: time moves forward by `ms` (firing what falls due), nothing waits. */
  sleep(ms: number): Promise<void> {
    this.advanceTo(this.current + Math.max(0, ms));
    return Promise.resolve();
  }

  /** Time of the earliest timer, or undefined when none is set. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers.values()) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** Timers set and not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves to the earliest timer's time and fires every timer due at that
   * instant; returns false when no timer is set.
   */
  fireNext(): boolean {
    const at = this.nextDue();
    if (at === undefined) return false;
    this.current = Math.max(this.current, at);
    for (const timer of this.due(at)) timer.fn();
    return true;
  }

  /** Moves to `time`, firing each timer due on the way, earliest first. Never goes back. */
  advanceTo(time: number): void {
    for (let at = this.nextDue(); at !== undefined && at <= time; at = this.nextDue()) {
      this.current = Math.max(this.current, at);
      for (const timer of this.due(at)) timer.fn();
    }
    this.current = Math.max(this.current, time);
  }

  /** Forgets every timer (nothing fires). */
  clear(): void {
    this.timers.clear();
  }

  private due(at: number): Timer[] {
    const due = [...this.timers.entries()].filter(([, t]) => t.at <= at).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq);
    for (const [handle] of due) this.timers.delete(handle);
    return due.map(([, t]) => t);
  }
}
