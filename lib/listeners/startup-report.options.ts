import type { MessagioClass } from '../message/messagio.js';

/** What the startup report does with what it finds. */
export type StartupReportMode = 'warn' | 'strict' | 'off';

/** The module options of the message types an app knows, and of the startup report. */
export interface StartupReportModuleOptions {
  /**
   * Message classes this app fires besides those its listeners name: they are
   * registered at bootstrap (so a wire name two classes claim, or a missing
   * upcaster, fails it), and the startup report and the contracts
   * (`nestjs-messagio/contracts`) know them. Classes with `@MessagioType`
   * are known without being listed.
   * @default []
   */
  messages?: MessagioClass[];
  /**
   * At bootstrap, one log line per problem: a known message type that no
   * listener of this app handles (in a process that consumes), a listened type
   * without a version, a listener id on several queues. `'strict'` makes them
   * a `MessagioStartupReportError` from `app.init()`; `'off'` says nothing.
   * @default 'warn'
   */
  startupReport?: StartupReportMode;
}

/** The startup report's settings, resolved at bootstrap. */
export interface StartupReportSettings {
  mode: StartupReportMode;
  /** The `messages` option. */
  messages: readonly MessagioClass[];
  /** Whether this process consumes: only then is a type without a listener here worth a line. */
  consumes: boolean;
}
