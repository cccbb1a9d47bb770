import { Module, type DynamicModule } from '@nestjs/common';
import { MESSAGIO_CLOCK, MESSAGIO_TESTING_OPTIONS, MESSAGIO_TRANSPORT } from '../messagio.constants.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioPipelineModule } from '../messagio-pipeline.module.js';
import { MessagioTestHarness } from './messagio-test-harness.js';
import { MessagioTestTransport } from './test-transport.js';
import {
  MESSAGIO_TESTING_CONFIG,
  isTestingMode,
  testingMessagioOptions,
  type MessagioTestingModuleOptions,
  type ResolvedTestingConfig,
} from './testing-options.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * messagio without Redis, for tests: the app's listeners, publisher and
 * pipeline, on an in-memory transport with a virtual clock, plus
 * `MessagioTestHarness`. Use it either way:
 *
 * ```ts
 * // a module under test
 * Test.createTestingModule({ imports: [MessagioTestingModule.forRoot()], providers: [Orders, EmailListener] })
 * // a whole app, unchanged: its MessagioModule.forRoot({ connection }) loses its BullMQ part
 * Test.createTestingModule({ imports: [AppModule] }).overrideModule(MessagioModule).useModule(MessagioTestingModule.forRoot())
 * ```
 * @publicApi
 */
@Module({})
export class MessagioTestingModule {
  static forRoot(options: MessagioTestingModuleOptions = {}): DynamicModule {
    const config = resolveConfig(options);
    const start = options.startTime instanceof Date ? options.startTime.getTime() : options.startTime;
    return {
      module: MessagioTestingModule,
      // Global like MessagioModule, whose place it may take: the pipeline finds the transport here.
      global: true,
      imports: [MessagioPipelineModule],
      providers: [
        // Laid over the app's forRoot() options when they are resolved (messagio.providers.ts).
        { provide: MESSAGIO_TESTING_OPTIONS, useValue: testingMessagioOptions(options) },
        { provide: MESSAGIO_TESTING_CONFIG, useValue: config },
        { provide: VirtualClock, useFactory: () => new VirtualClock(start) },
        { provide: MESSAGIO_CLOCK, useExisting: VirtualClock },
        { provide: MessagioTestTransport, useFactory: (clock: VirtualClock) => new MessagioTestTransport(clock), inject: [VirtualClock] },
        { provide: MESSAGIO_TRANSPORT, useExisting: MessagioTestTransport },
        MessagioTestHarness,
      ],
      exports: [MessagioPipelineModule, MESSAGIO_TESTING_OPTIONS, MESSAGIO_CLOCK, MESSAGIO_TRANSPORT, MessagioTestHarness],
    };
  }
}

function resolveConfig(options: MessagioTestingModuleOptions): ResolvedTestingConfig {
  if (options === null || typeof options !== 'object') {
    throw new MessagioConfigurationError(`MessagioTestingModule.forRoot() options must be an object, got ${String(options)}.`);
  }
  const mode = options.mode ?? 'run';
  if (!isTestingMode(mode)) {
    throw new MessagioConfigurationError(`MessagioTestingModule.forRoot(): mode must be 'run', 'capture' or 'autoDrain', got ${JSON.stringify(mode)}.`);
  }
  const maxMessages = options.maxMessages ?? 1000;
  if (!Number.isInteger(maxMessages) || maxMessages < 1) {
    throw new MessagioConfigurationError(`MessagioTestingModule.forRoot(): maxMessages must be a whole number ≥ 1, got ${String(maxMessages)}.`);
  }
  const start = options.startTime;
  if (start !== undefined && !(start instanceof Date && !Number.isNaN(start.getTime())) && !Number.isFinite(start)) {
    throw new MessagioConfigurationError(`MessagioTestingModule.forRoot(): startTime must be a Date or epoch milliseconds, got ${String(start)}.`);
  }
  return { mode, maxMessages };
}
