import { MessagioError } from './messagio.error.js';

/**
 * `message.fire()` was called before any application importing
 * `MessagioModule` was initialised (or after it was closed).
 * @publicApi
 */
export class MessagioNotInitializedError extends MessagioError {
  constructor() {
    super(
      'message.fire() needs an initialised Nest application that imports MessagioModule ' +
        '(await app.init() / NestFactory.create first), or inject MessagioPublisher and call publisher.fire(message).',
    );
  }
}
