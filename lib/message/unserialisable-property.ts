/** Where, and why, a value cannot go through JSON. */
export interface Unserialisable {
  /** Dotted path of the property, e.g. `order.total` or `items.0.next`. */
  property: string;
  /** What is wrong with it, as the end of a sentence. */
  reason: string;
}

interface Frame {
  value: Record<string, unknown>;
  keys: string[];
  index: number;
  path: string;
}

/**
 * The first own property of `root` that JSON cannot hold: a BigInt, or a
 * reference back to an object that contains it (a cycle). Called only after
 * serialising failed, to say where: it walks the value once, without
 * recursion (a very deep value cannot overflow the stack here).
 */
export function findUnserialisable(root: object): Unserialisable | undefined {
  // Objects on the current path, with their paths: a reference to one is a cycle.
  const ancestors = new Map<object, string>([[root, '']]);
  const stack: Frame[] = [{ value: root as Record<string, unknown>, keys: Object.keys(root), index: 0, path: '' }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.keys.length) {
      ancestors.delete(frame.value);
      stack.pop();
      continue;
    }
    const key = frame.keys[frame.index++]!;
    const child = frame.value[key];
    const path = frame.path === '' ? key : `${frame.path}.${key}`;
    if (typeof child === 'bigint') {
      return { property: path, reason: 'is a BigInt, which JSON cannot hold (convert it to a string or a number)' };
    }
    if (typeof child !== 'object' || child === null) continue;
    const target = ancestors.get(child);
    if (target !== undefined) {
      return { property: path, reason: `refers back to ${target === '' ? 'the message itself' : `"${target}"`}: a cycle, which JSON cannot hold` };
    }
    ancestors.set(child, path);
    stack.push({ value: child as Record<string, unknown>, keys: Object.keys(child), index: 0, path });
  }
  return undefined;
}
