/**
 * Time as the in-memory transport sees it. The real clock by default; the
 * testing module swaps in a virtual one so retry delays cost no wall time.
 */
export interface MessagioClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: MessagioClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
