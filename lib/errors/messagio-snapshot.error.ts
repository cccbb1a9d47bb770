import { MessagioError } from './messagio.error.js';

/**
 * A contracts snapshot (`contracts.json`) could not be read: no such file, not
 * JSON, or not written by `nestjs-messagio contracts snapshot` (the message
 * says which field). Write it again with that command.
 * @publicApi
 */
export class MessagioSnapshotError extends MessagioError {}
