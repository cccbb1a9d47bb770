// Deduplication as the publisher (delivery/) and the transports share it.

/**
 * A fire's deduplication, checked: `key` is scoped to the message type
 * (`<wire name>|<key>`), so two types never share a window.
 * - `simple`: dropped while the message that holds the key is pending (until
 *   every one of its deliveries has finished);
 * - `throttle`: dropped for `ttl` ms after the message that took the key was fired;
 * - `debounce`: merged into the pending message, which then runs `ttl` ms after
 *   the last fire, with the last fire's payload.
 */
export interface DedupeSpec {
  key: string;
  mode: 'simple' | 'throttle' | 'debounce';
  /** Milliseconds (throttle, debounce); unset for simple. */
  ttl?: number;
}

/** What the transport did with a deduplicated fire: stored it, or merged it into the message holding its key. */
export type DedupeDecision = { deduplicated: false } | { deduplicated: true; mergedInto: string };
