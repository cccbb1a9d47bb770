import { jest } from '@jest/globals';
import { ClockTimer, MAX_TIMER_DELAY, sleep } from '../../lib/transports/clock-timer.js';
import { realClock, type MessagioClock } from '../../lib/transports/clock.js';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';

const DAY = 24 * 3600 * 1000;

/** A virtual clock that records the delay of every timer it is asked for. */
function countingClock(): VirtualClock & { asked: number[] } {
  const clock = new VirtualClock(0) as VirtualClock & { asked: number[] };
  clock.asked = [];
  const set = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn: () => void, ms: number) => {
    clock.asked.push(ms);
    return set(fn, ms);
  };
  return clock;
}

describe('ClockTimer and sleep on the real clock (Jest fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sleep(realClock, 30 days) waits 30 days, not the 1 ms an overflowing setTimeout gives', async () => {
    let woke = false;
    void sleep(realClock, 30 * DAY).then(() => (woke = true));
    await jest.advanceTimersByTimeAsync(25 * DAY);
    expect(woke).toBe(false);
    await jest.advanceTimersByTimeAsync(5 * DAY - 1);
    expect(woke).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
  });

  it('a 30-day ClockTimer fires once, at 30 days; cancel() stops it after a re-arm', async () => {
    const fired = jest.fn();
    new ClockTimer(realClock, fired, 30 * DAY);
    const cancelled = jest.fn();
    const timer = new ClockTimer(realClock, cancelled, 30 * DAY);
    await jest.advanceTimersByTimeAsync(26 * DAY); // past the first link: the chain re-armed
    expect(fired).not.toHaveBeenCalled();
    timer.cancel();
    await jest.advanceTimersByTimeAsync(4 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(100 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });
});

describe('ClockTimer on a clock', () => {
  it('asks for one timer of the delay itself when a clock timer can hold it', () => {
    const clock = countingClock();
    const fired = jest.fn();
    new ClockTimer(clock, fired, MAX_TIMER_DELAY);
    new ClockTimer(clock, fired, 5);
    expect(clock.asked).toEqual([MAX_TIMER_DELAY, 5]);
    clock.advanceTo(MAX_TIMER_DELAY);
    expect(fired).toHaveBeenCalledTimes(2);
  });

  it('chains timers of at most 2³¹−1 ms until the due time by the clock', () => {
    const clock = countingClock();
    const fired = jest.fn();
    new ClockTimer(clock, fired, 60 * DAY);
    clock.advanceTo(60 * DAY - 1);
    expect(fired).not.toHaveBeenCalled();
    clock.advanceTo(60 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(clock.asked.every((ms) => ms <= MAX_TIMER_DELAY)).toBe(true);
    expect(clock.asked).toEqual([MAX_TIMER_DELAY, MAX_TIMER_DELAY, 60 * DAY - 2 * MAX_TIMER_DELAY]);
  });

  /** A clock whose time is set by hand and whose timers fire only when the test says. */
  function handClock() {
    const clock = { time: 0, armed: [] as Array<{ fn: () => void; ms: number }> };
    const api: MessagioClock = {
      now: () => clock.time,
      setTimeout: (fn, ms) => clock.armed.push({ fn, ms }),
      clearTimeout: () => undefined,
    };
    return Object.assign(clock, { api, fireNext: () => clock.armed.shift()!.fn() });
  }

  it('re-arms by the clock’s own time: a clock that jumped ahead fires at once', () => {
    const clock = handClock();
    const fired = jest.fn();
    new ClockTimer(clock.api, fired, 30 * DAY);
    clock.time = 31 * DAY; // e.g. the machine slept
    clock.fireNext();
    expect(fired).toHaveBeenCalledTimes(1);
    expect(clock.armed).toEqual([]);
  });

  it('takes NaN and negative delays as 0, and holds huge ones to Number.MAX_SAFE_INTEGER', () => {
    const clock = handClock();
    const fired = jest.fn();
    new ClockTimer(clock.api, fired, Number.NaN);
    new ClockTimer(clock.api, fired, -5);
    expect(clock.armed.map((t) => t.ms)).toEqual([0, 0]);
    clock.armed.length = 0;
    new ClockTimer(clock.api, fired, Infinity);
    expect(clock.armed.map((t) => t.ms)).toEqual([MAX_TIMER_DELAY]);
    clock.time = Number.MAX_SAFE_INTEGER - 1;
    clock.fireNext();
    expect(fired).not.toHaveBeenCalled();
    expect(clock.armed.map((t) => t.ms)).toEqual([1]);
    clock.time = Number.MAX_SAFE_INTEGER;
    clock.fireNext();
    expect(fired).toHaveBeenCalledTimes(1);
  });
});
