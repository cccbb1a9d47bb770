import { MessagioError } from './messagio.error.js';

/**
 * A fired message's payload nests objects and arrays more than `maxDepth`
 * levels deep (or refers to itself). Such a payload could be stored but never
 * delivered, so nothing is stored: flatten the message, or fire a reference to
 * deep data kept elsewhere.
 * @publicApi
 */
export class MessagioPayloadTooDeepError extends MessagioError {
  constructor(
    readonly messageType: string,
    readonly maxDepth: number,
  ) {
    super(
      `${messageType} payload nests objects and arrays more than ${maxDepth} levels deep (or refers to itself); ` +
        `the limit is ${maxDepth}: flatten the message or fire a reference to deep data instead.`,
    );
  }
}
