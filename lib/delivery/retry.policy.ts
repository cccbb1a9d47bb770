import { MessagioForbiddenError } from '../errors/messagio-forbidden.error.js';
import type { ResolvedListenerOptions } from '../listeners/listener-options.js';

/** What to do after a listener threw. */
export type RetryDecision = { retry: true; delay: number } | { retry: false; reason: 'not-retryable' | 'exhausted' | 'no-retries' | 'refused' };

/**
 * The one retry rule, used by every transport: a guard's refusal
 * (`MessagioForbiddenError`) and an error outside `retryOn` fail at once; otherwise retry while attempts remain, waiting `retryDelay`
 * (fixed) or `retryDelay * 2^(n-1)` before retry n (exponential) — the same
 * formula as BullMQ's built-in backoffs, so queued and in-process runs agree.
 */
export function decideRetry(options: ResolvedListenerOptions, error: unknown, attempt: number): RetryDecision {
  // A guard's verdict on the same message would not change: no retry storm.
  if (error instanceof MessagioForbiddenError) return { retry: false, reason: 'refused' };
  if (!isRetryable(options, error)) return { retry: false, reason: 'not-retryable' };
  // With maxRetries 0 (the default) nothing was exhausted: no retry was ever allowed.
  if (attempt > options.maxRetries) return { retry: false, reason: options.maxRetries === 0 ? 'no-retries' : 'exhausted' };
  return { retry: true, delay: retryDelay(options, attempt) };
}

export function isRetryable(options: ResolvedListenerOptions, error: unknown): boolean {
  if (options.retryOn.length === 0) return true;
  return options.retryOn.some((cls) => error instanceof cls);
}

/** Delay before the retry that follows attempt `attempt` (1-based). */
export function retryDelay(options: ResolvedListenerOptions, attempt: number): number {
  return options.backoff === 'exponential' ? Math.round(options.retryDelay * 2 ** (attempt - 1)) : options.retryDelay;
}
