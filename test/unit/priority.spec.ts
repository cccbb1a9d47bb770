import { assertPriority, MessagioPriority } from '../../lib/contract/priority.js';
import { toBullPriority } from '../../lib/transports/bullmq/bullmq-priority.js';
import { MessagioConfigurationError } from '../../lib/index.js';

describe('priority', () => {
  it('names messagio’s levels', () => {
    expect(MessagioPriority).toEqual({ LOW: 0, LESS: 3, REGULAR: 5, MORE: 7, HIGH: 9, EPIC: 10 });
  });

  it('maps higher-first 0..1000 onto BullMQ’s lower-first 1..1001, never 0', () => {
    expect(toBullPriority(1000)).toBe(1);
    expect(toBullPriority(0)).toBe(1001);
    expect(toBullPriority(MessagioPriority.EPIC)).toBeLessThan(toBullPriority(MessagioPriority.HIGH));
    for (let p = 0; p < 1000; p++) expect(toBullPriority(p)).toBeGreaterThan(toBullPriority(p + 1));
  });

  it.each([0, 1, 500, 1000])('accepts %p', (p) => {
    expect(() => assertPriority(p, 'x')).not.toThrow();
  });

  it.each([-1, 1001, 0.5, Number.NaN, Infinity, '3', null, undefined])('refuses %p', (p) => {
    expect(() => assertPriority(p, 'Listener "L.m"')).toThrow(MessagioConfigurationError);
    expect(() => assertPriority(p, 'Listener "L.m"')).toThrow(/Listener "L\.m": priority must be an integer from 0 to 1000/);
  });
});
