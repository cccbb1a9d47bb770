import { MessagioUnavailableError } from '../../errors/messagio-unavailable.error.js';

/** What this reads of a BullMQ queue's backend: its connection's events, and its client once connected. */
export interface ConnectionEvents {
  on(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly client: Promise<{ status: string }>;
}

/** The first connection, awaited by stores and by the failFast check while it is attempted without an error yet. */
interface FirstConnection {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: MessagioUnavailableError) => void;
}

/**
 * One queue's Redis connection as its events tell it: whether it is ready
 * now, whether it ever was, and its last error. The client alone cannot tell:
 * before its first connection it queues commands offline and reconnects
 * forever, so a store would wait for `publishTimeout` although the client
 * already saw `ECONNREFUSED` or `WRONGPASS`. With this, a store is refused at
 * once while the connection is known to be down, naming where and why.
 */
export class RedisConnectionState {
  private ready = false;
  private everReady = false;
  private lastError: Error | undefined;
  private first: FirstConnection | undefined;

  constructor(
    backend: ConnectionEvents,
    /** Where Redis is looked for (`redis-address.ts`): never a password. */
    readonly address: string,
  ) {
    backend.on('ready', () => this.onReady());
    backend.on('close', () => (this.ready = false));
    backend.on('error', (error) => this.onError(error));
    // The queue may have connected before these listeners were added (Nest builds
    // it earlier): BullMQ's client promise settles once its connection is ready.
    backend.client.then(
      (client) => client.status === 'ready' && this.onReady(),
      () => undefined,
    );
  }

  /** True while the connection is ready: a store goes ahead without waiting. */
  get isReady(): boolean {
    return this.ready;
  }

  /**
   * Why a store must be refused now, or `undefined` when it may go ahead: the
   * connection is ready, or is being made for the first time with no error
   * yet (then `connected()` says when it is).
   */
  refusal(): MessagioUnavailableError | undefined {
    if (this.ready) return undefined;
    if (this.everReady) {
      const after = this.lastError ? `, reconnecting after: ${this.lastError.message}` : ', reconnecting';
      return this.error(`Redis at ${this.address} is not connected${after}. The message was not stored; fire it again once Redis is back.`);
    }
    if (!this.lastError) return undefined;
    return this.error(
      `Redis at ${this.address} cannot be used (never connected): ${this.lastError.message}. The message was not stored. ` +
        'Check the connection options (host, port, password, TLS) and that Redis is running.',
    );
  }

  /**
   * Resolves when the connection is ready; rejects with `refusal()` when it is
   * known to be down, or when the first connection fails. Shared by every
   * store that waits: no promise per fire.
   */
  connected(): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    if (this.ready) return Promise.resolve();
    if (!this.first) {
      let settle!: Pick<FirstConnection, 'resolve' | 'reject'>;
      const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      promise.catch(() => undefined); // its waiters handle it; nobody waiting is fine too
      this.first = { promise, ...settle };
    }
    return this.first.promise;
  }

  /** What the connection is doing, for a timeout's message. */
  describe(): string {
    if (this.ready) return 'connected, no answer';
    if (this.everReady) return `reconnecting${this.lastError ? ` after: ${this.lastError.message}` : ''}`;
    return this.lastError ? `never connected: ${this.lastError.message}` : 'not connected yet, no error so far';
  }

  /** A `MessagioUnavailableError` naming this connection, its state and last error. */
  error(message: string): MessagioUnavailableError {
    return new MessagioUnavailableError(message, { host: this.address, ...(this.lastError ? { lastError: this.lastError } : {}) });
  }

  private onReady(): void {
    this.ready = true;
    this.everReady = true;
    this.lastError = undefined;
    this.first?.resolve();
    this.first = undefined;
  }

  private onError(error: Error): void {
    this.lastError = error;
    if (this.everReady || !this.first) return;
    // The first connection failed: whoever waits for it is refused now, not at its timeout.
    this.first.reject(this.refusal()!);
    this.first = undefined;
  }
}
