import { MessagioError } from '../errors/messagio.error.js';

/**
 * `drain()` stopped because listeners kept firing messages: more than
 * `maxMessages` were fired during one drain. Usually a cascade that never
 * ends (A fires B, B fires A). What is still queued stays queued until
 * `reset()`.
 * @publicApi
 */
export class MessagioRunawayError extends MessagioError {
  constructor(
    readonly maxMessages: number,
    /** Messages fired during the drain, by type. */
    readonly firedByType: Record<string, number>,
    /** The last message's causes, oldest first: `type (listener) → type ...`. */
    readonly chain: string[],
  ) {
    const counts = Object.entries(firedByType)
      .sort(([, a], [, b]) => b - a)
      .map(([type, n]) => `${type} ×${n}`)
      .join(', ');
    super(
      `drain() stopped: listeners fired more than ${maxMessages} messages (maxMessages) — a cascade that does not end? ` +
        `Fired: ${counts}. Latest chain: ${chain.join(' → ')}.`,
    );
  }
}

/**
 * The error `harness.failNext()` makes a listener throw when none is given.
 * @publicApi
 */
export class MessagioInjectedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessagioInjectedFailure';
  }
}
