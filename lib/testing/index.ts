// The ./testing entry point: helpers for testing apps that use nestjs-messagio.
// Nothing here needs Jest; `nestjs-messagio/testing/jest` registers the matchers.
export { MessagioTestingModule } from './messagio-testing.module.js';
export type { MessagioTestingModuleOptions, MessagioTestingMode } from './testing-options.js';
export { MessagioTestHarness, type MessagioDrainSummary, type MessagioDrainOptions } from './messagio-test-harness.js';
export {
  MessagioFiredRecord,
  MessagioDeliveryRecord,
  type MessagioAttemptRecord,
  type MessagioFiredBy,
  type MessagioMessageEnvelope,
  type MessagioTestDeliveryStatus,
} from './records.js';
export { MessagioTrace, type MessagioTraceMessage, type MessagioTraceDelivery } from './trace.js';
export { MessagioRunawayError, MessagioInjectedFailure } from './errors.js';
export { MessagioTestTransport } from './test-transport.js';
export { VirtualClock } from './virtual-clock.js';
export {
  messagioMatchers,
  type MessagioMatchers,
  type MessagioMatcherContext,
  type MessagioMatcherResult,
  type MessagioPartial,
  type MessagioErrorMatch,
} from './matchers.js';
export {
  startRedisServer,
  hasRedisServer,
  freePort,
  type RedisServerHandle,
  type StartRedisServerOptions,
} from './redis-server.js';
export {
  startPostgresServer,
  hasPostgresServer,
  type PostgresServerHandle,
  type StartPostgresServerOptions,
} from './postgres-server.js';
