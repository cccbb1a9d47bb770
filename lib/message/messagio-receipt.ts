import { MessagioTimeoutError } from '../errors/messagio-timeout.error.js';
import { deliveryIdOf } from './delivery-id.js';
import { isFinished, type DeliveryState } from './delivery-state.js';
import type { FireReceipt } from './fire-options.js';

/** Options of `receipt.wait()`. */
export interface WaitOptions {
  /**
   * Milliseconds before `wait()` rejects with `MessagioTimeoutError`.
   * @default 30000
   */
  timeout?: number;
}

/** What `receipt.wait()` resolves to: each listener's final state. */
export interface MessagioOutcome {
  messageId: string;
  /** True when every delivery completed. */
  ok: boolean;
  deliveries: DeliveryState[];
}

/** Reads the states of deliveries from wherever they are stored. */
export type DeliveryInspector = (deliveryIds: string[]) => Promise<DeliveryState[]>;

/**
 * The receipt of a fire: `{ messageId, traceId, listeners }`, plus `wait()`.
 * What `publisher.fire()` and `message.fire()` both resolve to.
 * @publicApi
 */
export class MessagioReceipt implements FireReceipt {
  // A private field keeps the receipt a plain-looking { messageId, traceId,
  // listeners } when logged or compared (and, unlike a non-enumerable property
  // set with defineProperty, costs nothing per fire).
  readonly #inspect: DeliveryInspector;
  /** For a deduplicated fire: id of the message holding its key (set only then: other receipts log as before). */
  declare readonly mergedInto?: string;
  /**
   * `'outbox'` when the fire wrote its deliveries in the app's transaction:
   * they reach the transport once the relay moves them, after commit (state
   * `outbox` until then). Absent otherwise (declared, not a field: a direct
   * fire's receipt keeps its three keys).
   */
  declare readonly pending?: 'outbox';

  constructor(
    readonly messageId: string,
    readonly traceId: string,
    readonly listeners: string[],
    inspect: DeliveryInspector,
    mergedInto?: string,
    pending?: 'outbox',
  ) {
    this.#inspect = inspect;
    if (mergedInto !== undefined) (this as { mergedInto?: string }).mergedInto = mergedInto;
    if (pending !== undefined) this.pending = pending;
  }

  /** True for a `dedupe` fire that stored nothing (see `mergedInto`). A getter: a receipt still logs as its ids. */
  get deduplicated(): boolean {
    return this.mergedInto !== undefined;
  }

  /**
   * Resolves when every delivery of this message has completed or failed for
   * good, with each listener's outcome. It reads the deliveries' own state
   * (not a best-effort event stream), polling with a growing interval. A
   * deduplicated fire waits for the message it was merged into (its
   * `messageId` in the outcome).
   */
  async wait({ timeout = 30_000 }: WaitOptions = {}): Promise<MessagioOutcome> {
    const messageId = this.mergedInto ?? this.messageId;
    const ids = this.listeners.map((listener) => deliveryIdOf(messageId, listener));
    const deadline = Date.now() + timeout;
    for (let pause = 5; ; pause = Math.min(pause * 2, 250)) {
      const deliveries = ids.length > 0 ? await this.#inspect(ids) : [];
      const pending = deliveries.filter((d) => !isFinished(d.status));
      if (pending.length === 0) {
        return { messageId, ok: deliveries.every((d) => d.status === 'completed'), deliveries };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new MessagioTimeoutError(messageId, timeout, pending.map((d) => d.listener));
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }
}
