import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/**
 * messagio's priority names: higher is more urgent. Any integer from
 * `MIN_PRIORITY` to `MAX_PRIORITY` may be used.
 * @publicApi
 */
export const MessagioPriority = {
  LOW: 0,
  LESS: 3,
  REGULAR: 5,
  MORE: 7,
  HIGH: 9,
  EPIC: 10,
} as const;

// The scale of `Delivery.priority`: listeners are checked against it, transports order by it.
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 1000;

export function assertPriority(priority: unknown, where: string): asserts priority is number {
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new MessagioConfigurationError(
      `${where}: priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY} (higher runs first), got ${String(priority)}.`,
    );
  }
}

