import { MessagioConfigurationError } from './messagio-configuration.error.js';

/**
 * With `startupReport: 'strict'`, the startup report found problems (a known
 * message type no listener of this app handles, a listened type without a
 * version, a listener id on several queues): `app.init()` rejects with each
 * of them in `problems`, before anything is consumed. Fix them, or set
 * `startupReport: 'warn'` to log them instead.
 * @publicApi
 */
export class MessagioStartupReportError extends MessagioConfigurationError {
  constructor(readonly problems: readonly string[]) {
    super(
      `The startup report found ${problems.length} problem${problems.length === 1 ? '' : 's'} (startupReport: 'strict'):\n` +
        problems.map((p) => `- ${p}`).join('\n'),
    );
  }
}
