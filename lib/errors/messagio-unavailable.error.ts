import { MessagioError } from './messagio.error.js';

/**
 * The transport could not store a message in time (Redis unreachable or not
 * answering within `publishTimeout`). The message was not acknowledged as
 * stored: fire it again later, with the same `messageId` to stay idempotent.
 * @publicApi
 */
export class MessagioUnavailableError extends MessagioError {}
