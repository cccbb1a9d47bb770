import type { MessagioClock } from './clock.js';

/**
 * Longest delay a timer of Node (and of browsers) honours: a longer one
 * overflows and fires after 1 ms, so a 30-day delay would run at once.
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * A timer on a `MessagioClock` for any delay up to `Number.MAX_SAFE_INTEGER`
 * ms (longer ones are held to it; NaN and negatives mean 0). A delay a clock
 * timer can hold is one timer, as before; a longer one is a chain of timers of
 * at most `MAX_TIMER_DELAY`, re-armed until the clock's `now()` reaches the
 * due time. `cancel()` stops it whichever link is armed.
 */
export class ClockTimer {
  private handle: unknown;
  /** Due time on the clock, and the link callback: only for a chained timer. */
  private due = 0;
  private link: (() => void) | undefined;

  constructor(
    private readonly clock: MessagioClock,
    private readonly fn: () => void,
    ms: number,
  ) {
    if (!(ms > 0)) ms = 0;
    if (ms <= MAX_TIMER_DELAY) {
      // The common case: one timer, calling `fn` itself.
      this.handle = clock.setTimeout(fn, ms);
      return;
    }
    this.due = clock.now() + Math.min(ms, Number.MAX_SAFE_INTEGER);
    this.link = () => this.next();
    this.handle = clock.setTimeout(this.link, MAX_TIMER_DELAY);
  }

  cancel(): void {
    this.clock.clearTimeout(this.handle);
  }

  /** One link of a chain ended: run `fn` if due, else arm the next link. */
  private next(): void {
    const left = this.due - this.clock.now();
    if (left <= 0) this.fn();
    else this.handle = this.clock.setTimeout(this.link!, Math.min(left, MAX_TIMER_DELAY));
  }
}

/** Waits `ms` on `clock`: its own `sleep`, else its timers (chained past 2³¹−1 ms, which a Node timer cannot hold). */
export function sleep(clock: MessagioClock, ms: number): Promise<void> {
  if (clock.sleep) return clock.sleep(ms);
  return new Promise((resolve) => void new ClockTimer(clock, resolve, ms));
}
