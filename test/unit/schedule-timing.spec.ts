import { getNextMillis } from 'bullmq';
import fc from 'fast-check';
import type { StoredScheduleSpec } from '../../lib/contract/schedule.types.js';
import { firstTick, nextTick } from '../../lib/transports/schedule-timing.js';

// The in-process transports (memory, the test harness) tick when BullMQ's job
// schedulers would: cron times are compared with BullMQ's own `getNextMillis`
// (same cron-parser), `every` with the rule of its Lua script
// (getJobSchedulerEveryNextMillis: keep the first tick's phase, skip missed ticks).

const PATTERNS = ['0 * * * *', '*/5 * * * * *', '0 6 * * 1-5', '30 2 1 * *', '0 0 29 2 *'];
const ZONES = [undefined, 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'];
// 2030-01-01 to 2031-01-01, so DST changes are crossed.
const YEAR = { min: Date.UTC(2030, 0, 1), max: Date.UTC(2031, 0, 1) };

describe('cron ticks: the same times as BullMQ', () => {
  it('the tick after one, for any pattern, zone, previous tick and time it runs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATTERNS),
        fc.constantFrom(...ZONES),
        fc.integer(YEAR),
        fc.integer({ min: 0, max: 90 * 24 * 3_600_000 }),
        (cron, tz, prev, late) => {
          const spec: StoredScheduleSpec = { cron, ...(tz ? { tz } : {}) };
          const now = prev + late;
          expect(nextTick(spec, prev, prev, now)).toBe(getNextMillis(Math.max(now, prev), { pattern: cron, tz }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the first tick, also with a startDate ahead', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATTERNS), fc.constantFrom(...ZONES), fc.integer(YEAR), fc.integer({ min: 0, max: 30 * 24 * 3_600_000 }), (cron, tz, now, ahead) => {
        const startDate = now + ahead;
        const spec: StoredScheduleSpec = { cron, startDate, ...(tz ? { tz } : {}) };
        expect(firstTick(spec, now)).toBe(Math.max(getNextMillis(now, { pattern: cron, tz, startDate })!, now));
      }),
      { numRuns: 200 },
    );
  });

  it('no tick past endDate', () => {
    const now = Date.UTC(2030, 0, 1, 0, 30);
    expect(firstTick({ cron: '0 * * * *', endDate: Date.UTC(2030, 0, 1, 0, 59) }, now)).toBeUndefined();
    expect(nextTick({ cron: '0 * * * *', endDate: Date.UTC(2030, 0, 1, 1, 0) }, now, now, now)).toBe(Date.UTC(2030, 0, 1, 1, 0));
    expect(firstTick({ every: 1000, endDate: now - 1 }, now)).toBeUndefined();
  });
});

describe('every: the rule of BullMQ’s scheduler script', () => {
  const spec = { every: 1000 };
  it('ticks first at once (or at startDate), keeping that phase', () => {
    expect(firstTick(spec, 12_345)).toBe(12_345);
    expect(firstTick({ every: 1000, startDate: 20_000 }, 12_345)).toBe(20_000);
    expect(nextTick(spec, 12_345, 12_345, 12_400)).toBe(13_345);
  });

  it('skips the ticks missed while nothing ran, to the next one on the phase', () => {
    expect(nextTick(spec, 12_345, 12_345, 15_000)).toBe(15_345);
    expect(nextTick(spec, 12_345, 12_345, 15_345)).toBe(16_345);
    expect(nextTick(spec, 12_345, 14_345, 15_400)).toBe(16_345);
  });
});
