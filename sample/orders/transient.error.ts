/** A failure worth retrying (a timeout, a 503...): listed in a listener's `retryOn`. */
export class TransientError extends Error {
  override name = 'TransientError';
}
