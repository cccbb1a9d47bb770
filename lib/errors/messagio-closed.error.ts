import { MessagioError } from './messagio.error.js';

/**
 * A message was fired after `app.close()` (through a publisher or a transport
 * kept from the closed application): nothing was stored. Unlike
 * `MessagioUnavailableError`, firing again later cannot succeed: fire through
 * an application that is open.
 * @publicApi
 */
export class MessagioClosedError extends MessagioError {
  constructor(readonly transport: string) {
    super(
      `The ${transport} transport is closed (app.close() ran): the message was not stored. ` +
        'Fire through an application that is open (listeners still running while it closes may fire until they finish).',
    );
  }
}
