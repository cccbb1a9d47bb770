import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/**
 * The inbox's settings (`MessagioOutboxModule.forRoot({ inbox })`), for
 * listeners with `inbox: true`.
 * @publicApi
 */
export interface MessagioInboxOptions {
  /**
   * Milliseconds a processed delivery's id is kept: a redelivery later than
   * this runs the listener again. Keep it above the longest time a job can
   * wait for a redelivery (stalled-job recovery, retries). @default 604800000 (7 days)
   */
  retentionMs?: number;
  /** Milliseconds between retention sweeps, in consuming processes. @default 3600000 (1 hour) */
  sweepMs?: number;
}

export interface ResolvedInboxOptions {
  retentionMs: number;
  sweepMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export function resolveInboxOptions(options: MessagioInboxOptions | undefined): ResolvedInboxOptions {
  const given = options ?? {};
  const count = (name: keyof MessagioInboxOptions, fallback: number): number => {
    const value = given[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new MessagioConfigurationError(`Outbox option inbox.${name} must be a whole number of milliseconds ≥ 1, got ${String(value)}.`);
    }
    return value;
  };
  return { retentionMs: count('retentionMs', 7 * DAY), sweepMs: count('sweepMs', 60 * 60 * 1000) };
}
