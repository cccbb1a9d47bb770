import { MAX_PRIORITY } from '../../contract/priority.js';

/**
 * messagio's scale (0..1000, higher first) → BullMQ's (1..1001, lower first).
 * Never 0: BullMQ runs un-prioritised jobs before every prioritised one.
 */
export function toBullPriority(priority: number): number {
  return MAX_PRIORITY + 1 - priority;
}
