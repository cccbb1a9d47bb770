import type { DeliveryHandler } from '../transports/messagio-transport.interface.js';
import type { MessagioDispatcher } from './dispatcher.js';
import type { MessagioFaultReporter } from './fault.reporter.js';

/**
 * The one handler every transport calls for an attempt (BullMQ, memory,
 * sync, the test transport): the dispatcher runs it, and a delivery that
 * failed for good is reported as a `MessagioFault` before the handler
 * returns, so before the transport records the failure (at least once, never
 * lost).
 */
export class DeliveryRunner {
  constructor(
    private readonly dispatcher: MessagioDispatcher,
    private readonly faults: MessagioFaultReporter,
  ) {}

  readonly handle: DeliveryHandler = async (data, attempt) => {
    const outcome = await this.dispatcher.dispatch(data, attempt);
    if (outcome.status === 'failed') await this.faults.report(outcome, attempt, data);
    return outcome;
  };
}
