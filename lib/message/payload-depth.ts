/**
 * How deep a payload may nest objects and arrays; the payload object itself is
 * level 1. JSON.stringify, class-transformer and class-validator all recurse
 * once per level, so a payload nested thousands of levels deep would overflow
 * the stack of whatever touches it: it is refused at fire, and on the worker
 * before anything walks it.
 */
export const MAX_PAYLOAD_DEPTH = 64;

/**
 * True when `value` nests objects or arrays more than `MAX_PAYLOAD_DEPTH`
 * levels deep, counting `value` as level 1. A value with `toJSON` (a Date) is
 * a leaf, as JSON renders it. The walk stops at the limit, so a cycle ends it too.
 */
export function nestsTooDeep(value: unknown, level = 1): boolean {
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (level > MAX_PAYLOAD_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsTooDeep(item, level + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (nestsTooDeep(record[key], level + 1)) return true;
  return false;
}
