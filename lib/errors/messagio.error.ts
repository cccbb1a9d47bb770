/**
 * Base class of every error this library throws, so callers can tell ours
 * apart with one `instanceof`.
 * @publicApi
 */
export class MessagioError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
