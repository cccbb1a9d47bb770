import { MessagioError } from './messagio.error.js';

/** What a `MessagioUnavailableError` knows of the failure besides its message. */
export interface MessagioUnavailableDetail {
  /** Where the transport stores: Redis's `host:port` (never a password). */
  host?: string;
  /** The connection's last error: `connect ECONNREFUSED 127.0.0.1:6379`, `NOAUTH …`, `WRONGPASS …`. */
  lastError?: Error;
  /** The error behind this one; defaults to `lastError`. */
  cause?: unknown;
}

/**
 * The transport could not store a message: Redis unreachable (never
 * connected, or disconnected: rejected at once, naming `host` and
 * `lastError`), refusing the command, or not answering within
 * `publishTimeout`; also `app.init()` with `failFast: true` when Redis cannot
 * be used. The message was not acknowledged as stored: fire it again later,
 * with the same `messageId` to stay idempotent.
 * @publicApi
 */
export class MessagioUnavailableError extends MessagioError {
  /** Redis's `host:port` (or socket path, or cluster nodes), when the transport knows it; never a password. */
  readonly host: string | undefined;
  /** The connection's last error, when one explains the failure. */
  readonly lastError: Error | undefined;

  constructor(message: string, detail: MessagioUnavailableDetail = {}) {
    const cause = detail.cause ?? detail.lastError;
    super(message, cause !== undefined ? { cause } : undefined);
    this.host = detail.host;
    this.lastError = detail.lastError;
  }
}
