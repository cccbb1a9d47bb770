import type { MessagioFault } from '../message/messagio-fault.js';
import { nestsTooDeep } from '../message/payload-depth.js';

/** The fields of a `MessagioFault`, before it is built. */
export type MessagioFaultFields = Omit<MessagioFault, 'fire'>;

/**
 * Shrinks a fault until its JSON fits in `maxBytes` (the `maxPayloadBytes` it
 * is fired under), so that a failure near the cap is still reported: first
 * the stack is cut; if that is not enough, the payload is replaced by
 * `{ truncated: true, bytes }` (its JSON size) and the stack cut again to the
 * room left; last, the error message and the raw excerpt are cut. A cut
 * string keeps its start and ends with a marker giving its full size. A payload
 * nested so deep that the fault would pass the depth limit is replaced by the
 * same marker. Only a
 * cap smaller than the fault's fixed fields can leave it over. Mutates
 * `fault` (a fresh object of the reporter's).
 */
export function fitFault(fault: MessagioFaultFields, maxBytes: number): void {
  // The payload sits one level down in the fault: a payload at the depth limit would make the fault too deep to fire.
  if (nestsTooDeep(fault.payload, 2)) fault.payload = { truncated: true, bytes: jsonBytes(fault.payload) };
  if (fits(fault, maxBytes)) return;
  const { error } = fault;
  const stack = error.stack;
  if (stack !== undefined) {
    error.stack = cut(stack, roomFor(fault, stack, maxBytes));
    if (fits(fault, maxBytes)) return;
  }
  fault.payload = { truncated: true, bytes: jsonBytes(fault.payload) };
  if (stack !== undefined) {
    // The payload's room goes to the stack first: keep as much of it as now fits.
    error.stack = '';
    error.stack = cut(stack, roomFor(fault, '', maxBytes));
    if (fits(fault, maxBytes)) return;
  }
  error.message = cut(error.message, roomFor(fault, error.message, maxBytes));
  if (fault.raw !== undefined && !fits(fault, maxBytes)) fault.raw = cut(fault.raw, roomFor(fault, fault.raw, maxBytes));
}

function fits(value: unknown, maxBytes: number): boolean {
  const json = JSON.stringify(value);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most faults are measured by their length alone.
  return json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/** JSON bytes a string field may take: the cap minus everything else in the fault. */
function roomFor(fault: MessagioFaultFields, current: string, maxBytes: number): number {
  return maxBytes - (jsonBytes(fault) - jsonBytes(current));
}

/**
 * The longest start of `value`, plus a marker, whose JSON takes at most `room`
 * bytes (escapes and multi-byte characters counted); the marker alone when
 * even that does not fit.
 */
function cut(value: string, room: number): string {
  if (jsonBytes(value) <= room) return value;
  const marker = `… [truncated from ${Buffer.byteLength(value)} bytes]`;
  let low = 0;
  let high = value.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonBytes(value.slice(0, whole(value, mid)) + marker) <= room) low = mid;
    else high = mid - 1;
  }
  return value.slice(0, whole(value, low)) + marker;
}

/**
 * `end`, or one less where it would split a surrogate pair: half a pair is
 * escaped by JSON (6 bytes, where the pair takes 4), so sizes only grow with
 * the length at whole characters.
 */
function whole(value: string, end: number): number {
  const code = value.charCodeAt(end - 1);
  return end > 0 && code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}
