import type { Delivery } from '../contract/delivery.types.js';
import type { ClaimedOutboxRow } from './outbox-store.js';

/**
 * A claimed row's deliveries, as the publisher stored them, or why they can
 * never be relayed (a malformed row: written by hand, or by another release
 * of an incompatible shape). The relay needs no message types: a row carries
 * complete deliveries, whose envelopes the worker checks as it checks any job.
 */
export function deliveriesOf(row: ClaimedOutboxRow): Delivery[] | string {
  const list = row.deliveries;
  if (!Array.isArray(list) || list.length === 0) return 'its deliveries are not a non-empty array';
  for (let i = 0; i < list.length; i++) {
    const problem = deliveryProblem(list[i], row.messageId);
    if (problem !== undefined) return `delivery ${i} ${problem}`;
  }
  return list as Delivery[];
}

function deliveryProblem(d: unknown, messageId: string): string | undefined {
  if (typeof d !== 'object' || d === null) return 'is not an object';
  const { id, envelope, priority, attempts, backoff, delay } = d as Record<string, unknown>;
  if (typeof id !== 'string' || !id.startsWith(`${messageId}|`)) return `has no id of message ${messageId}`;
  if (typeof envelope !== 'object' || envelope === null) return 'has no envelope';
  if (typeof priority !== 'number' || typeof attempts !== 'number' || typeof delay !== 'number') return 'lacks priority, attempts or delay';
  if (typeof backoff !== 'object' || backoff === null) return 'has no backoff';
  return undefined;
}
