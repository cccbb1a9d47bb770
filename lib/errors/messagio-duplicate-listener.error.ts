import { MessagioError } from './messagio.error.js';

/**
 * Two listeners share one id. Ids default to `ClassName.methodName`; set the
 * `id` option on one of them.
 * @publicApi
 */
export class MessagioDuplicateListenerError extends MessagioError {
  constructor(
    readonly listenerId: string,
    readonly sources: [string, string],
  ) {
    super(
      `Listener id "${listenerId}" is taken: ${sources[0]} and ${sources[1]} both use it. ` +
        `Give one of them a distinct { id } option.`,
    );
  }
}
