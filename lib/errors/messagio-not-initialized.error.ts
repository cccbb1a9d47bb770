import { MessagioError } from './messagio.error.js';

/**
 * A message was fired before the application was initialised: listeners are
 * discovered by `app.init()`, so until then a fire would reach none of them.
 * Thrown by `publisher.fire()` / `fireMany()` of an app not initialised yet,
 * and by `message.fire()` when no initialised (and open) app imports
 * `MessagioModule`.
 * @publicApi
 */
export class MessagioNotInitializedError extends MessagioError {
  /** `call`: what was called too early, e.g. `publisher.fire()`. */
  constructor(call = 'message.fire()') {
    const what =
      call === 'message.fire()'
        ? 'message.fire() needs an initialised Nest application that imports MessagioModule (none is, or it was closed)'
        : `${call} was called before the application was initialised: listeners are discovered by app.init(), so this message would reach none of them`;
    super(
      `${what}. Await app.init() first: NestFactory.create() does not run it (app.listen() or app.init() does; ` +
        'NestFactory.createApplicationContext() does). In tests, after Test.createTestingModule(...).compile(), ' +
        'await moduleRef.init() (or moduleRef.createNestApplication().init()). ' +
        'Firing from a provider’s onModuleInit? Fire from onApplicationBootstrap instead.',
    );
  }
}
