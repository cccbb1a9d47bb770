import { Injectable } from '@nestjs/common';
import { MessagioContext, OnMessagio } from '../../lib/index.js';
import { TransientError } from '../orders/transient.error.js';
import { RefundRequested } from './refund-requested.message.js';

/**
 * Refunds through a gateway that is down for the whole run: every attempt
 * throws, the retries are spent, and the delivery fails for good — so the
 * dashboard has a failed job (with its reason and attempts) to show.
 */
@Injectable()
export class RefundListener {
  @OnMessagio(RefundRequested, { id: 'refund', retryOn: [TransientError], maxRetries: 2, retryDelay: 100 })
  onRefundRequested(refund: RefundRequested, ctx: MessagioContext): void {
    throw new TransientError(`refund gateway unavailable for ${refund.orderId} (attempt ${ctx.attempt} of ${ctx.maxAttempts})`);
  }
}
