import type { MessagioHeaders } from './message-headers.js';
import type { MessagioContext } from './messagio-context.js';

/**
 * What `MessagioModule.forRoot({ propagate })` takes: how an app carries its
 * own request context (tenant, user, locale: typically kept in nestjs-cls)
 * into every message it causes, across processes.
 * @publicApi
 */
export interface MessagioPropagation {
  /**
   * Called at every fire (also inside listeners): headers to add to the
   * message, under its own `headers` option and over the inherited ones.
   * Synchronous: a fire stays one step.
   */
  capture?(): Record<string, string> | undefined;
  /**
   * Called before every attempt of every listener, inside the attempt's CLS
   * context when nestjs-cls is in the app: puts `headers` back where the app
   * reads them. The headers come from stored data: check them before trusting
   * them. A returned promise is awaited (and only then).
   */
  restore?(headers: MessagioHeaders, context: MessagioContext): void | Promise<void>;
}
