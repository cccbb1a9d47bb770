import type { MessagioModuleOptions } from '../messagio-options.js';

/**
 * When deliveries run under the harness:
 * - `run`: when the test calls `harness.drain()` (or `advance()`);
 * - `capture`: never — fired messages are recorded, nothing runs (test a publisher alone);
 * - `autoDrain`: at once — `fire()` called outside a listener resolves after
 *   everything it caused has run (retries and cascades included).
 */
export type MessagioTestingMode = 'run' | 'capture' | 'autoDrain';

/**
 * Options of `MessagioTestingModule.forRoot()`. The messagio options given
 * here (validation, strictness, listener defaults...) are laid over the app's
 * own `MessagioModule.forRoot()` options when the testing module replaces it.
 * @publicApi
 */
export interface MessagioTestingModuleOptions
  extends Pick<MessagioModuleOptions, 'validate' | 'validation' | 'strict' | 'defaultListenerOptions' | 'maxPayloadBytes' | 'observers' | 'asyncContext'> {
  /** @default 'run' */
  mode?: MessagioTestingMode;
  /**
   * Most messages one `drain()` lets listeners fire before it stops with
   * `MessagioRunawayError`.
   * @default 1000
   */
  maxMessages?: number;
  /**
   * Start of the virtual clock that delays and retry waits run on.
   * @default the time the module is created
   */
  startTime?: Date | number;
}

/** Internal: the harness's settings. */
export const MESSAGIO_TESTING_CONFIG = 'MESSAGIO_TESTING_CONFIG';

export interface ResolvedTestingConfig {
  mode: MessagioTestingMode;
  maxMessages: number;
}

const MODES: readonly MessagioTestingMode[] = ['run', 'capture', 'autoDrain'];

export function isTestingMode(mode: unknown): mode is MessagioTestingMode {
  return MODES.includes(mode as MessagioTestingMode);
}

/** The messagio options the testing module lays over the app's: only those given, and a worker. */
export function testingMessagioOptions(options: MessagioTestingModuleOptions): MessagioModuleOptions {
  const picked: MessagioModuleOptions = { worker: true };
  for (const key of ['validate', 'validation', 'strict', 'defaultListenerOptions', 'maxPayloadBytes', 'observers', 'asyncContext'] as const) {
    if (options[key] !== undefined) (picked as Record<string, unknown>)[key] = options[key];
  }
  return picked;
}
