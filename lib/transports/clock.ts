/**
 * Time as the in-memory transport sees it. The real clock by default; the
 * testing module swaps in a virtual one so retry delays cost no wall time.
 */
export interface MessagioClock {
  now(): number;
  /** Never asked for more than 2³¹−1 ms: longer waits are chained (see ClockTimer). */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Optional: waits `ms` of this clock's time (a virtual clock moves its time instead of waiting). */
  sleep?(ms: number): Promise<void>;
}

export const realClock: MessagioClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
