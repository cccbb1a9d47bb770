import type { MessagioReceipt } from '../message/messagio-receipt.js';
import type { MessagioDispatchError } from './messagio-dispatch.error.js';
import { MessagioError } from './messagio.error.js';

/**
 * Raised by `fireMany(messages, { sync: true })` once every message's
 * listeners have run, when listeners of one or more messages failed for good.
 * `failures` has one `MessagioDispatchError` per failed message (its type, id
 * and failed listeners); `receipts` has the receipt of every message, in the
 * order they were given, and `succeeded` those of the messages whose listeners
 * all completed. Nothing is re-run.
 * @publicApi
 */
export class MessagioBatchDispatchError extends MessagioError {
  constructor(
    readonly failures: MessagioDispatchError[],
    readonly receipts: MessagioReceipt[],
  ) {
    super(
      `${failures.length} of ${receipts.length} messages fired with fireMany({ sync: true }) had failing listeners: ` +
        failures.map((f) => f.message).join(' | '),
      { cause: failures[0] },
    );
  }

  /** Receipts of the messages whose listeners all completed, in firing order. */
  get succeeded(): MessagioReceipt[] {
    const failed = new Set(this.failures.map((f) => f.messageId));
    return this.receipts.filter((r) => !failed.has(r.messageId));
  }
}
