import { AsyncLocalStorage } from 'node:async_hooks';
import type { FireOptions } from './fire-options.js';
import { NO_HEADERS, type MessagioHeaders } from './message-headers.js';
import type { MessagioReceipt } from './messagio-receipt.js';

/**
 * Facts about the delivery a listener is running, given as its second argument.
 * @publicApi
 */
export class MessagioContext {
  /** Id of the message (shared by all its listeners' deliveries). */
  readonly messageId: string;
  /** Wire name of the message type. */
  readonly type: string;
  /** Correlation id of everything caused by one original fire. */
  readonly traceId: string;
  /** Id of the message whose listener fired this one; null for a root message. */
  readonly causationId: string | null;
  /** Id of the listener running. */
  readonly listener: string;
  /**
   * Id of this delivery (message × listener): stable across retries and
   * re-deliveries, so a listener can make its side effects idempotent.
   */
  readonly deliveryId: string;
  /** 1 for the first run, 2 for the first retry... */
  readonly attempt: number;
  /** Attempts allowed in all (`maxRetries + 1`). */
  readonly maxAttempts: number;
  readonly firedAt: Date;
  /** Which transport delivered it: 'bullmq', 'memory', 'sync', ... */
  readonly transport: string;
  /**
   * Context that travels with the message (frozen; empty when none). Stored
   * data: on a worker, treat it as untrusted input.
   */
  readonly headers: MessagioHeaders;
  /**
   * For a listener with `inbox: true`: the inbox's database transaction this
   * attempt runs in (a `pg` `PoolClient` after `BEGIN`, or the ambient
   * `@nestjs-cls/transactional` transaction object when the app has one).
   * Write through it, or fire with `{ transaction: context.transaction }`:
   * committed with the inbox row, rolled back with it. Unset otherwise.
   */
  transaction?: unknown;

  /** `headers` may be left out (none), so that tests can build a context as they did. */
  constructor(fields: Omit<MessagioContext, 'headers'> & { headers?: MessagioHeaders }) {
    // One assignment per field (not Object.assign): built once per delivery.
    this.messageId = fields.messageId;
    this.type = fields.type;
    this.traceId = fields.traceId;
    this.causationId = fields.causationId;
    this.listener = fields.listener;
    this.deliveryId = fields.deliveryId;
    this.attempt = fields.attempt;
    this.maxAttempts = fields.maxAttempts;
    this.firedAt = fields.firedAt;
    this.transport = fields.transport;
    this.headers = fields.headers ?? NO_HEADERS;
  }
}

/** What `message.fire()` needs of a publisher. */
export interface FiresMessages {
  fire(message: object, options?: FireOptions): Promise<MessagioReceipt>;
}

/**
 * What the async context of a running delivery carries: its facts, and the
 * publisher of the app running it (for `message.fire()` inside the listener).
 */
interface DeliveryScope {
  readonly context: MessagioContext;
  readonly publisher: FiresMessages | undefined;
}

// Carries the running delivery through async calls, so a message fired inside a
// listener inherits its traceId, takes its id as causationId, and goes through
// the app that runs the listener (even while it closes, or after another app
// was initialised in the same process).
const storage = new AsyncLocalStorage<DeliveryScope>();

export function runInMessagioContext<T>(context: MessagioContext, publisher: FiresMessages | undefined, fn: () => T): T {
  return storage.run({ context, publisher }, fn);
}

/** The delivery being handled by the current async call chain, if any. */
export function currentMessagioContext(): MessagioContext | undefined {
  return storage.getStore()?.context;
}

/** The publisher of the app whose delivery is being handled by the current async call chain, if any. */
export function currentDeliveryPublisher(): FiresMessages | undefined {
  return storage.getStore()?.publisher;
}
