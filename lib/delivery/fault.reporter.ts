import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ListenerRegistry } from '../listeners/listener.registry.js';
import { FAULT_TYPE, MessagioFault } from '../message/messagio-fault.js';
import type { DeliveryAttempt, DeliveryOutcome } from './dispatcher.js';
import { deliveryIdOf } from './messagio-context.js';
import { MessagioPublisher } from './messagio.publisher.js';

/** A delivery's last attempt, failed for good. */
export type FailedOutcome = DeliveryOutcome & { status: 'failed' };

/**
 * Fires a `MessagioFault` for every delivery that failed for good, when anyone
 * listens to faults: from the worker (before the transport records the
 * failure, so at least once) and from the sync path. A failed fault delivery
 * produces none (no loops); firing problems (Redis gone) are logged.
 */
@Injectable()
export class MessagioFaultReporter {
  private readonly logger = new Logger('Messagio');

  constructor(
    private readonly publisher: MessagioPublisher,
    private readonly listeners: ListenerRegistry,
  ) {
    // The publisher's sync path reports through this reporter, which fires
    // through the publisher: set here rather than injected, so DI has no cycle.
    publisher.faults = this;
  }

  /** Reports the failure of a delivery's attempt `attempt`. */
  async report(outcome: FailedOutcome, attempt: DeliveryAttempt): Promise<void> {
    const envelope = outcome.envelope;
    if (!envelope || envelope.type === FAULT_TYPE || this.listeners.bindingsFor(FAULT_TYPE).length === 0) return;
    const fault = new MessagioFault({
      type: envelope.type,
      messageId: envelope.id,
      traceId: envelope.traceId,
      listener: envelope.listener,
      attempts: attempt.attempt,
      error: { name: outcome.error.name, message: outcome.error.message, stack: outcome.error.stack },
      payload: envelope.payload,
      poison: outcome.poison,
    });
    try {
      // Deterministic id: a fault reported twice (a crash between firing it and
      // recording the failure) is stored once.
      const messageId = `fault-${createHash('sha1').update(deliveryIdOf(envelope.id, envelope.listener)).digest('hex')}`;
      await this.publisher.fireCausedBy(fault, { messageId, traceId: envelope.traceId }, envelope.id);
    } catch (error) {
      this.logger.error(`Could not fire MessagioFault for ${envelope.listener} on ${envelope.type} (messageId=${envelope.id}): ${(error as Error)?.message}`);
    }
  }
}
