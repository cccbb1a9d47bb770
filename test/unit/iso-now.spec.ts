import { jest } from '@jest/globals';
import { isoNow } from '../../lib/message/iso-now.js';

// A fire's firedAt: made once per millisecond, always that millisecond's ISO string.

describe('isoNow', () => {
  afterEach(() => jest.useRealTimers());

  it("is new Date().toISOString() of the current millisecond, whatever was asked before", () => {
    jest.useFakeTimers({ now: new Date('2026-03-04T05:06:07.008Z') });
    expect(isoNow()).toBe('2026-03-04T05:06:07.008Z');
    expect(isoNow()).toBe('2026-03-04T05:06:07.008Z');
    jest.advanceTimersByTime(1);
    expect(isoNow()).toBe('2026-03-04T05:06:07.009Z');
    jest.setSystemTime(new Date('2025-12-31T23:59:59.999Z')); // clocks may go back
    expect(isoNow()).toBe('2025-12-31T23:59:59.999Z');
  });

  it('follows the real clock', async () => {
    const before = Date.now();
    const at = Date.parse(isoNow());
    expect(at).toBeGreaterThanOrEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(Date.parse(isoNow())).toBeGreaterThan(at);
  });
});
