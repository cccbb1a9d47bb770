import { decideRetry, retryDelay } from '../../lib/delivery/retry.policy.js';
import { LISTENER_DEFAULTS, resolveListenerOptions } from '../../lib/listeners/listener-options.js';
import { MessagioConfigurationError } from '../../lib/index.js';

class TimeoutError extends Error {}
class SubTimeout extends TimeoutError {}
class Other extends Error {}

describe('retry policy', () => {
  const options = resolveListenerOptions('L', { retryOn: [TimeoutError], maxRetries: 2, retryDelay: 100, backoff: 'exponential' });

  it('retries errors in retryOn (and their subclasses) while attempts remain', () => {
    expect(decideRetry(options, new TimeoutError(), 1)).toEqual({ retry: true, delay: 100 });
    expect(decideRetry(options, new SubTimeout(), 2)).toEqual({ retry: true, delay: 200 });
    expect(decideRetry(options, new TimeoutError(), 3)).toEqual({ retry: false, reason: 'exhausted' });
  });

  it('fails at once for errors outside retryOn', () => {
    expect(decideRetry(options, new Other(), 1)).toEqual({ retry: false, reason: 'not-retryable' });
    expect(decideRetry(options, 'a string', 1)).toEqual({ retry: false, reason: 'not-retryable' });
  });

  it('retries any error when retryOn is empty', () => {
    const any = resolveListenerOptions('L', { maxRetries: 1 });
    expect(decideRetry(any, new Other(), 1)).toEqual({ retry: true, delay: 1000 });
  });

  it('never retries by default (maxRetries 0): no retries configured, not retries exhausted', () => {
    expect(LISTENER_DEFAULTS.maxRetries).toBe(0);
    expect(decideRetry(LISTENER_DEFAULTS, new Error(), 1)).toEqual({ retry: false, reason: 'no-retries' });
  });

  it('computes fixed and exponential delays like BullMQ’s built-in backoffs', () => {
    const fixed = resolveListenerOptions('L', { retryDelay: 250, backoff: 'fixed' });
    expect([1, 2, 3, 4].map((n) => retryDelay(fixed, n))).toEqual([250, 250, 250, 250]);
    expect([1, 2, 3, 4].map((n) => retryDelay(options, n))).toEqual([100, 200, 400, 800]);
  });

  it('layers listener options over module defaults over library defaults', () => {
    expect(resolveListenerOptions('L', { maxRetries: 1 }, { maxRetries: 4, retryDelay: 7, priority: 9 })).toEqual({
      ...LISTENER_DEFAULTS,
      maxRetries: 1,
      retryDelay: 7,
      priority: 9,
    });
    expect(resolveListenerOptions('L', { priority: undefined }, { priority: 8 }).priority).toBe(8);
  });

  it.each([
    [{ maxRetries: -1 }, /maxRetries/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ retryDelay: -1 }, /retryDelay/],
    [{ retryDelay: Infinity }, /retryDelay/],
    [{ backoff: 'linear' }, /backoff/],
    [{ retryOn: ['TimeoutError'] }, /retryOn/],
    [{ priority: 2000 }, /priority/],
  ])('refuses %p', (bad, pattern) => {
    expect(() => resolveListenerOptions('L.m', bad as never)).toThrow(MessagioConfigurationError);
    expect(() => resolveListenerOptions('L.m', bad as never)).toThrow(pattern);
  });
});
