import { MessagioError } from './messagio.error.js';

/**
 * Wraps a thrown value that was not an `Error` (a string, an object), so every
 * failure recorded for a delivery has a name, a message and a stack.
 * @publicApi
 */
export class MessagioListenerError extends MessagioError {
  constructor(readonly thrown: unknown) {
    super(`Listener threw a non-Error value: ${safeString(thrown)}`);
  }
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
