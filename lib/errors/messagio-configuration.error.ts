import { MessagioError } from './messagio.error.js';

/**
 * Bad module or listener configuration, found at bootstrap (or at
 * `MessageCenter.subscribe`): an invalid priority or retry option, a missing
 * Redis connection, a bad transport. The message names the culprit.
 * @publicApi
 */
export class MessagioConfigurationError extends MessagioError {}
