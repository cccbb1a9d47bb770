import fc from 'fast-check';
import { jsonSizeBound } from '../../lib/message/json-size-bound.js';

// The publisher skips serialising a flat payload when this bound is within
// maxPayloadBytes: it must never be below the real size of the JSON.

const primitive = fc.oneof(
  fc.string({ unit: 'binary' }), // any UTF-16 unit, lone surrogates and control characters included
  fc.double(), // NaN, ±Infinity, -0
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

describe('jsonSizeBound', () => {
  it('is never below the UTF-8 size of JSON.stringify for a payload of primitives', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), primitive), (payload) => {
        expect(jsonSizeBound(payload)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(payload)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact enough to spare the text of an ordinary payload (within 6× its size)', () => {
    const payload = { orderId: 'order-1', amount: 12.5, express: false, note: null };
    const size = Buffer.byteLength(JSON.stringify(payload));
    expect(jsonSizeBound(payload)).toBeLessThanOrEqual(6 * size);
  });

  it('is Infinity for anything that must be serialised to be measured', () => {
    expect(jsonSizeBound({ nested: { a: 1 } })).toBe(Infinity);
    expect(jsonSizeBound({ list: [1, 2] })).toBe(Infinity);
    expect(jsonSizeBound({ big: 1n })).toBe(Infinity);
    expect(jsonSizeBound({ fn: () => 1 })).toBe(Infinity);
    expect(jsonSizeBound({ at: new Date(0) })).toBe(Infinity);
  });
});
