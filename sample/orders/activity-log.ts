import { Injectable } from '@nestjs/common';
import type { MessagioContext } from '../../lib/index.js';

/** What one listener call did. */
export interface Activity {
  /** Listener id (`ctx.listener`). */
  listener: string;
  orderId: string;
  /** Wire name of the message handled. */
  type: string;
  attempt: number;
  maxAttempts: number;
  outcome: 'done' | 'failed';
  note: string;
  messageId: string;
  traceId: string;
  causationId: string | null;
  transport: string;
  /** Milliseconds since the log was created. */
  at: number;
}

/**
 * The sample's stand-in for real side effects: every listener writes down what
 * it did, and the runner waits on it instead of sleeping.
 */
@Injectable()
export class ActivityLog {
  readonly entries: Activity[] = [];
  private readonly startedAt = Date.now();
  private waiters: Array<() => void> = [];

  record(ctx: MessagioContext, orderId: string, outcome: Activity['outcome'], note: string): void {
    this.entries.push({
      listener: ctx.listener,
      orderId,
      type: ctx.type,
      attempt: ctx.attempt,
      maxAttempts: ctx.maxAttempts,
      outcome,
      note,
      messageId: ctx.messageId,
      traceId: ctx.traceId,
      causationId: ctx.causationId,
      transport: ctx.transport,
      at: Date.now() - this.startedAt,
    });
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Resolves once `done(entries)` is true; rejects after `timeout` ms with
   * `describe(entries)` saying what is still missing.
   */
  async waitUntil(done: (entries: Activity[]) => boolean, timeout: number, describe: (entries: Activity[]) => string): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!done(this.entries)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeout} ms: ${describe(this.entries)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
