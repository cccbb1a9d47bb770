import { Injectable, Logger } from '@nestjs/common';
import { MessagioFault, OnMessagio } from 'nestjs-messagio';

// #region faults
@Injectable()
export class FaultAlerts {
  private readonly logger = new Logger(FaultAlerts.name);

  @OnMessagio(MessagioFault)
  alert(fault: MessagioFault) {
    // fault: { type, messageId, traceId, listener, attempts, error: { name, message, stack }, payload, poison, deliveryId, raw? }
    this.logger.error(`${fault.listener} gave up on ${fault.type} ${fault.messageId} after ${fault.attempts} attempts: ${fault.error.message}`);
  }
}
// #endregion
