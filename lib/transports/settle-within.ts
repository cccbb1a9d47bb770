import { realClock } from './clock.js';
import { ClockTimer } from './clock-timer.js';

/**
 * Waits for `promise` at most `ms` of wall-clock time (shutdown is
 * wall-clock, whatever a transport's clock; a delay past 2³¹−1 ms is chained,
 * see ClockTimer). Never rejects: says whether it settled in time.
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: ClockTimer | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = new ClockTimer(realClock, () => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), timeout]);
  } finally {
    timer!.cancel();
  }
}
