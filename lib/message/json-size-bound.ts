/**
 * An upper bound of the UTF-8 size of `JSON.stringify(payload)` for a payload
 * whose values are all primitives (a flat message, the common case), without
 * making the text: at most 6 bytes per UTF-16 unit of a string or key (the
 * longest escape), 25 per number. `Infinity` for anything else (a nested
 * object or array, a BigInt, a function or symbol), which must then be
 * serialised to be measured (and to find out whether it can be).
 */
export function jsonSizeBound(payload: Record<string, unknown>): number {
  let size = 2;
  for (const key in payload) {
    const value = payload[key];
    // "key": and a comma
    size += 4 + 6 * key.length;
    switch (typeof value) {
      case 'string':
        size += 2 + 6 * value.length;
        break;
      case 'number':
        size += 25;
        break;
      case 'boolean':
      case 'undefined':
        size += 5;
        break;
      default:
        if (value !== null) return Infinity;
        size += 4;
    }
  }
  return size;
}
