// Public API of nestjs-messagio. Anything not exported here is internal.
export { MessagioModule } from './messagio.module.js';
export { MESSAGIO_QUEUE, MESSAGIO_TRANSPORT } from './messagio.constants.js';

export { Messagio, type MessagioClass } from './message/messagio.js';
export { MessagioType, type MessagioTypeOptions } from './message/messagio-type.decorator.js';
export { MessagioUpcast, type MessagioUpcaster } from './message/messagio-upcast.decorator.js';
export { ENVELOPE_VERSION, type MessagioEnvelope } from './message/envelope.js';
export { MessagioFault, type MessagioFaultError } from './message/messagio-fault.js';

export { OnMessagio } from './listeners/on-messagio.decorator.js';
export { MessagioExecutionContext, type MessagioDeliveryArguments } from './listeners/messagio-execution-context.js';
export { MESSAGIO_CLS_KEY } from './listeners/delivery-scope.js';
export type { MessagioHeaders } from './message/message-headers.js';
export type { MessagioPropagation } from './message/messagio-propagation.js';
export { MessagioSchedule } from './listeners/messagio-schedule.decorator.js';
export { MessageCenter, type MessageCenterSubscribeOptions } from './listeners/message-center.js';

export { MessagioPublisher } from './delivery/messagio.publisher.js';
export { MessagioReceipt, type WaitOptions, type MessagioOutcome } from './message/messagio-receipt.js';
export { MessagioAdmin, type RetrySelection, type MessagioOutboxAdmin } from './delivery/messagio-admin.js';
export type { OutboxDeadRow, OutboxStats } from './delivery/outbox-port.js';
export { MessagioScheduler, type MessagioScheduleFactory } from './delivery/messagio-scheduler.js';
export type { MessagioScheduleSpec, MessagioScheduleInfo } from './contract/schedule.types.js';
export {
  MessagioObservers,
  type MessagioObserver,
  type MessagioFiredEvent,
  type MessagioDeliveryEvent,
  type MessagioDeliveryEndedEvent,
  type MessagioDeliveryRetryEvent,
  type MessagioDeliveryFailedEvent,
} from './delivery/messagio-observer.js';
export { MessagioContext } from './message/messagio-context.js';
export { MessagioPriority, MIN_PRIORITY, MAX_PRIORITY } from './contract/priority.js';
export type { Delivery, DeliveryOutcome, DeliveryAttempt, DeliveryCounts, FailedFilter, MessagioBackoff } from './contract/delivery.types.js';

export type { MessagioTransport, DeliveryHandler } from './transports/messagio-transport.interface.js';
export { BullMqTransport } from './transports/bullmq/bullmq.transport.js';
export { MemoryTransport } from './transports/memory/memory.transport.js';
export type { MemoryTransportOptions, MessagioMemoryOptions } from './transports/memory/memory-transport.options.js';
export type { MessagioClock } from './transports/clock.js';
export type { DeliveryState, DeliveryStatus } from './message/delivery-state.js';

export type { FireOptions, FireManyOptions, FireReceipt, MessagioDedupeOptions, MessagioCause } from './message/fire-options.js';
export type { MessagioBackendOption } from './transports/bullmq/bullmq-backend.js';
export type { MessagioModuleOptions, MessagioModuleAsyncOptions } from './messagio-options.js';
export type { MessagioWorkerOptions, MessagioTransportOption } from './transports/transport-module.options.js';
export type {
  OnMessagioOptions,
  MessagioListenerDefaults,
  ErrorClass,
} from './listeners/listener-options.js';
export type { StartupReportMode } from './listeners/startup-report.options.js';
export { CONTRACTS_ONLY_ENV } from './messagio-boot-mode.js';

export { MessagioError } from './errors/messagio.error.js';
export { MessagioValidationError, type MessagioPropertyViolation } from './errors/messagio-validation.error.js';
export { MessagioDispatchError, type MessagioListenerFailure } from './errors/messagio-dispatch.error.js';
export { MessagioBatchDispatchError } from './errors/messagio-batch-dispatch.error.js';
export { MessagioConfigurationError } from './errors/messagio-configuration.error.js';
export { MessagioTypeConflictError } from './errors/messagio-type-conflict.error.js';
export { MessagioDuplicateListenerError } from './errors/messagio-duplicate-listener.error.js';
export { MessagioInvalidMessageError, type MessagioInvalidMessageDetail } from './errors/messagio-invalid-message.error.js';
export { MessagioNoListenersError } from './errors/messagio-no-listeners.error.js';
export { MessagioNotInitializedError } from './errors/messagio-not-initialized.error.js';
export { MessagioEnvelopeError, type MessagioEnvelopeProblem } from './errors/messagio-envelope.error.js';
export { MessagioListenerError } from './errors/messagio-listener.error.js';
export { MessagioPayloadTooLargeError } from './errors/messagio-payload-too-large.error.js';
export { MessagioPayloadTooDeepError } from './errors/messagio-payload-too-deep.error.js';
export { MessagioTimeoutError } from './errors/messagio-timeout.error.js';
export { MessagioUnavailableError } from './errors/messagio-unavailable.error.js';
export { MessagioClosedError } from './errors/messagio-closed.error.js';
export { MessagioForbiddenError } from './errors/messagio-forbidden.error.js';
export { MessagioStartupReportError } from './errors/messagio-startup-report.error.js';
export { MessagioSnapshotError } from './errors/messagio-snapshot.error.js';
export { MessagioUnknownScheduleError } from './errors/messagio-unknown-schedule.error.js';
export { MessagioScheduleError } from './errors/messagio-schedule.error.js';
