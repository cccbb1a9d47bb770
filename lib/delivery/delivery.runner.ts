import type { DeliveryHandler } from '../transports/messagio-transport.interface.js';
import type { FinalFailureHook, MessagioDispatcher } from './dispatcher.js';
import type { MessagioFaultReporter } from './fault.reporter.js';

/**
 * The one handler every transport calls for an attempt (BullMQ, memory,
 * sync, the test transport): the dispatcher runs it, and a delivery that
 * failed for good is reported as a `MessagioFault` before the handler
 * resolves, so before the transport records the failure (at least once,
 * never lost). The report is handed to the dispatcher, which awaits it at its
 * end: the handler adds no async frame of its own to each delivery.
 */
export class DeliveryRunner {
  private readonly report: FinalFailureHook;

  constructor(
    private readonly dispatcher: MessagioDispatcher,
    faults: MessagioFaultReporter,
  ) {
    this.report = (outcome, attempt, data) => faults.report(outcome, attempt, data);
  }

  readonly handle: DeliveryHandler = (data, attempt) => this.dispatcher.dispatch(data, attempt, this.report);
}
