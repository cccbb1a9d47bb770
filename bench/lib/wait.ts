// Waiting for deliveries, with a deadline so a stuck trial fails instead of hanging.

/**
 * Counts deliveries; `done` resolves when `total` have been seen. Records the
 * time of the first start and of the last end (performance.now()).
 */
export class Countdown {
  count = 0;
  firstStart = Number.NaN;
  lastDone = Number.NaN;
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(readonly total: number) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
    if (total === 0) this.resolve();
  }

  start(): void {
    if (Number.isNaN(this.firstStart)) this.firstStart = performance.now();
  }

  finish(): void {
    this.count++;
    if (this.count === this.total) {
      this.lastDone = performance.now();
      this.resolve();
    }
  }

  /** Milliseconds from the first start to the last end. */
  get elapsed(): number {
    return this.lastDone - this.firstStart;
  }
}

export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
