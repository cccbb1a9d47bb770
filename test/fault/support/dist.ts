// The built package, as the fault-injection apps use it (see work.mjs).
import type * as Lib from '../../../lib/index.js';

export async function builtPackage(): Promise<typeof Lib> {
  return (await import('../../../dist/index.js' as string)) as typeof Lib;
}
