import { MessagioError } from '../../errors/messagio.error.js';
import { MessagioUnavailableError } from '../../errors/messagio-unavailable.error.js';
import type { RedisConnectionState } from './redis-connection-state.js';

/** An `enqueue` in progress, and how to fail it when Redis takes too long. */
interface PendingStore {
  deadline: number;
  reject: (error: Error) => void;
  /** The Redis connection it stores through (none on PostgreSQL): its timeout error says where, and in what state. */
  connection: RedisConnectionState | undefined;
}

/**
 * `publishTimeout` for the BullMQ transport's stores: a store not done in
 * time rejects with `MessagioUnavailableError`. Every store has the same
 * timeout, so those in progress expire in the order they started: one timer
 * serves them all, instead of a timer and a promise race per fire.
 */
export class PublishDeadline {
  /** Stores waiting on Redis, oldest first. */
  private readonly storing = new Set<PendingStore>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publishTimeout: number,
    /** What stores the messages, in error messages: 'Redis' or 'PostgreSQL'. */
    private readonly store = 'Redis',
  ) {}

  /**
   * Follows `store` (just started; through `connection`, on Redis),
   * rejecting when it is not done within `publishTimeout`; any failure but a
   * typed one becomes `MessagioUnavailableError`.
   */
  within(store: Promise<unknown>, connection?: RedisConnectionState): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: PendingStore = { deadline: performance.now() + this.publishTimeout, reject, connection };
      this.storing.add(pending);
      this.arm();
      store.then(
        () => {
          if (this.storing.delete(pending)) resolve();
        },
        (error: unknown) => {
          if (!this.storing.delete(pending)) return;
          reject(
            error instanceof MessagioError
              ? error
              : new MessagioUnavailableError(`${connection ? `Redis at ${connection.address}` : this.store} refused the message: ${(error as Error)?.message}`, {
                  ...(connection ? { host: connection.address } : {}),
                  cause: error,
                }),
          );
        },
      );
    });
  }

  /** With no store in progress, drops the timer: nothing to time out keeps the process alive. */
  releaseIdle(): void {
    if (this.storing.size > 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Keeps a timer set at or before the oldest store's deadline while any store is in progress. */
  private arm(): void {
    if (this.timer !== undefined) return;
    const oldest = this.storing.values().next().value;
    if (!oldest) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      for (const pending of this.storing) {
        if (pending.deadline > now) break;
        this.storing.delete(pending);
        const { connection } = pending;
        pending.reject(
          connection
            ? connection.error(`Redis at ${connection.address} did not store the message within ${this.publishTimeout} ms (publishTimeout): ${connection.describe()}.`)
            : new MessagioUnavailableError(`${this.store} did not store the message within ${this.publishTimeout} ms (publishTimeout).`),
        );
      }
      this.arm();
    }, Math.max(0, oldest.deadline - performance.now()));
  }
}
