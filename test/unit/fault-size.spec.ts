import fc from 'fast-check';
import { fitFault, type MessagioFaultFields } from '../../lib/delivery/fault-size.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const MARKER = /… \[truncated from (\d+) bytes\]$/;

// Strings JSON makes longer: quotes, backslashes, control characters, multi-byte and astral characters.
// Lengths spread over the whole range (size 'max'), so that faults are often over the cap.
const text = (maxLength: number, minLength = 0) =>
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '"', '\\', '\u0001', 'é', '€', '😀', 'z'), minLength, maxLength, size: 'max' });

const fault = fc.record({
  stack: fc.option(text(3000), { nil: undefined }),
  message: text(1500),
  payload: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(text(400), fc.integer(), fc.boolean()), { size: 'max', maxKeys: 12 }),
  raw: fc.option(text(2100), { nil: undefined }),
});

function build({ stack, message, payload, raw }: { stack?: string; message: string; payload: Record<string, unknown>; raw?: string }): MessagioFaultFields {
  return {
    type: 'orders.perform-action',
    messageId: '8c1b5b0e-6f6c-4a55-a0a5-1f2f9e2c1d11',
    traceId: '2f0f3f1e-5e0a-4a4c-9d1e-0c1d2e3f4a5b',
    listener: 'Listeners.run',
    attempts: 3,
    error: { name: 'FatalError', message, ...(stack !== undefined ? { stack } : {}) },
    payload,
    poison: false,
    deliveryId: '8c1b5b0e-6f6c-4a55-a0a5-1f2f9e2c1d11|Listeners.run',
    ...(raw !== undefined ? { raw } : {}),
  };
}

/** `cut` is `original`, or a start of it followed by the marker giving its size. */
function isCutOf(cut: string, original: string): boolean {
  if (cut === original) return true;
  const marker = MARKER.exec(cut);
  return !!marker && Number(marker[1]) === Buffer.byteLength(original) && original.startsWith(cut.slice(0, marker.index));
}

describe('fitFault', () => {
  it('brings any fault within any cap that holds its fixed fields, cutting only what it must', () => {
    fc.assert(
      fc.property(fault, fc.integer({ min: 1000, max: 12_000 }), (parts, cap) => {
        const original = build(parts);
        const fitted = build(parts);
        fitFault(fitted, cap);
        expect(bytes(fitted)).toBeLessThanOrEqual(cap);
        if (bytes(original) <= cap) {
          expect(fitted).toEqual(original);
          return;
        }
        expect(isCutOf(fitted.error.stack ?? '', original.error.stack ?? '')).toBe(true);
        expect(isCutOf(fitted.error.message, original.error.message)).toBe(true);
        expect(isCutOf(fitted.raw ?? '', original.raw ?? '')).toBe(true);
        const withoutStack = { ...original, error: { ...original.error, stack: '' } };
        if (bytes(withoutStack) <= cap - 60) {
          // Cutting the stack was enough: the payload and everything else are kept.
          expect(fitted.payload).toEqual(original.payload);
          expect({ ...fitted, error: { ...fitted.error, stack: '' } }).toEqual(withoutStack);
        } else if (bytes(withoutStack) > cap) {
          // Even without its stack the fault is too large: the payload gives way.
          expect(fitted.payload).toEqual({ truncated: true, bytes: bytes(original.payload) });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('cuts a stack to the longest start that fits', () => {
    fc.assert(
      fc.property(text(3000, 1000), fc.integer({ min: 700, max: 3000 }), (stack, cap) => {
        const original = build({ stack, message: 'm', payload: { a: 1 } });
        fc.pre(bytes(original) > cap);
        const fitted = build({ stack, message: 'm', payload: { a: 1 } });
        fitFault(fitted, cap);
        const cut = fitted.error.stack!;
        const kept = MARKER.exec(cut)!.index;
        expect(fitted.payload).toEqual({ a: 1 });
        expect(bytes(fitted)).toBeLessThanOrEqual(cap);
        // One more character (two for a surrogate pair) would not fit.
        const next = stack.codePointAt(kept)! > 0xffff ? 2 : 1;
        const longer = build({ stack: stack.slice(0, kept + next) + cut.slice(kept), message: 'm', payload: { a: 1 } });
        expect(bytes(longer)).toBeGreaterThan(cap);
      }),
      { numRuns: 300 },
    );
  });
});
