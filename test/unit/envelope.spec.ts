import { copyAsJson, ENVELOPE_VERSION, isCanonicalEnvelope, makeEnvelope } from '../../lib/message/envelope.js';
import { parseEnvelope } from '../../lib/message/envelope.guard.js';
import { MAX_PAYLOAD_DEPTH } from '../../lib/message/payload-depth.js';
import { MessagioEnvelopeError } from '../../lib/index.js';
import type { MessagioEnvelope } from '../../lib/message/envelope.js';

const good = {
  v: 1,
  type: 'T',
  id: 'm',
  traceId: 't',
  causationId: null,
  firedAt: '2026-01-01T00:00:00.000Z',
  listener: 'L.m',
  payload: { a: 1, nested: { list: [{ b: 2 }] } },
};

describe('envelope', () => {
  it('accepts a well-formed envelope of this version', () => {
    expect(ENVELOPE_VERSION).toBe(1);
    expect(parseEnvelope(good)).toBe(good);
    expect(parseEnvelope({ ...good, causationId: 'parent' }).causationId).toBe('parent');
  });

  it.each([
    ['undefined', undefined, 'malformed'],
    ['a number', 42, 'malformed'],
    ['an array', [good], 'malformed'],
    ['no v', { ...good, v: undefined }, 'malformed'],
    ['v 2', { ...good, v: 2 }, 'unsupported-version'],
    ['v "1"', { ...good, v: '1' }, 'unsupported-version'],
    ['numeric type', { ...good, type: 5 }, 'malformed'],
    ['empty listener', { ...good, listener: '' }, 'malformed'],
    ['causationId 3', { ...good, causationId: 3 }, 'malformed'],
    ['payload array', { ...good, payload: [] }, 'malformed'],
    ['payload null', { ...good, payload: null }, 'malformed'],
    ['__proto__ key', JSON.parse('{"v":1,"type":"T","id":"m","traceId":"t","causationId":null,"firedAt":"x","listener":"l","payload":{"__proto__":{"x":1}}}'), 'forbidden-key'],
    ['deep constructor', { ...good, payload: { a: [{ b: { constructor: 1 } }] } }, 'forbidden-key'],
    ['prototype key', { ...good, payload: { prototype: {} } }, 'forbidden-key'],
  ])('refuses %s', (_label, raw, problem) => {
    let error: unknown;
    try {
      parseEnvelope(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MessagioEnvelopeError);
    expect((error as MessagioEnvelopeError).problem).toBe(problem);
  });

  it('names an unsupported version without serialising it whole', () => {
    // Found by the property test: a "v" nested past the stack made JSON.stringify throw a RangeError.
    const deepV = JSON.parse(`{"v":${'{"v":'.repeat(50_000)}1${'}'.repeat(50_000)}}`) as unknown;
    let error: unknown;
    try {
      parseEnvelope(deepV);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MessagioEnvelopeError);
    expect((error as MessagioEnvelopeError).problem).toBe('unsupported-version');
    expect((error as Error).message).toBe('Envelope version an object is not supported (this process reads v1).');
    expect(() => parseEnvelope({ ...good, v: 2 })).toThrow('Envelope version 2 is not supported (this process reads v1).');
    expect(() => parseEnvelope({ ...good, v: '1' })).toThrow('Envelope version "1" is not supported');
    expect(() => parseEnvelope({ ...good, v: [1] })).toThrow('Envelope version an array is not supported');
    const long = (() => {
      try {
        parseEnvelope({ ...good, v: 'x'.repeat(100_000) });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(long).toBe(`Envelope version "${'x'.repeat(40)}…" is not supported (this process reads v1).`);
  });

  it('names the path of a forbidden key', () => {
    expect(() => parseEnvelope({ ...good, payload: { a: [{ b: { constructor: 1 } }] } })).toThrow('Payload key "payload.a.0.b.constructor" is forbidden');
  });

  describe('firedAt', () => {
    const problemOf = (firedAt: unknown): string => {
      try {
        parseEnvelope({ ...good, firedAt });
        return 'accepted';
      } catch (e) {
        return e instanceof MessagioEnvelopeError ? e.problem : `not an envelope error: ${String(e)}`;
      }
    };

    it.each([
      '2026-01-01T00:00:00.000Z',
      new Date().toISOString(),
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.5Z',
      '2026-01-01T00:00:00.123456789Z',
      '2026-06-30T23:59:59.999+05:30',
      '2026-06-30T23:59:59-23:59',
      '2024-02-29T12:00:00.000Z',
      '2000-02-29T12:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
    ])('accepts %s, which makes a valid Date', (firedAt) => {
      expect(problemOf(firedAt)).toBe('accepted');
      expect(Number.isNaN(new Date(firedAt).getTime())).toBe(false);
    });

    it.each([
      'not a date',
      'x',
      '2026',
      '2026-01-01',
      '2026-01-01T00:00:00', // no offset: local time, different on every worker
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00Z',
      'Tue Mar 01 2026 10:00:00 GMT+0000',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-32T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z', // not a leap year
      '1900-02-29T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01T00:00:00.000+24:00',
      '+275760-09-13T00:00:00.001Z',
      ' 2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z\n',
      '２０２６-01-01T00:00:00.000Z',
    ])('refuses %j as malformed', (firedAt) => {
      expect(problemOf(firedAt)).toBe('malformed');
    });

    it('says what it expected', () => {
      expect(() => parseEnvelope({ ...good, firedAt: 'yesterday' })).toThrow(
        'Not a messagio envelope: "firedAt" must be an ISO-8601 date and time, such as 2026-01-02T03:04:05.678Z (got "yesterday").',
      );
    });

    it('reports a forbidden key first: a pollution attempt is named as such', () => {
      const raw = JSON.parse('{"v":1,"type":"T","id":"m","traceId":"t","causationId":null,"firedAt":"x","listener":"l","payload":{"__proto__":{"x":1}}}');
      expect(() => parseEnvelope(raw)).toThrow(/forbidden \(prototype pollution guard\)/);
    });
  });

  describe('payload depth limit', () => {
    /** `{ a: { a: ... } }` (or `[[...]]`) with `levels` objects, built without recursion. */
    const nested = (levels: number, kind: 'object' | 'array' = 'object'): Record<string, unknown> => {
      const root: Record<string, unknown> = {};
      let inner: Record<string, unknown> | unknown[] = root;
      for (let level = 2; level <= levels; level++) {
        const next: Record<string, unknown> | unknown[] = kind === 'object' ? {} : [];
        if (Array.isArray(inner)) inner.push(next);
        else inner.a = next;
        inner = next;
      }
      return root;
    };

    it(`accepts ${MAX_PAYLOAD_DEPTH} levels and refuses ${MAX_PAYLOAD_DEPTH + 1}, objects and arrays alike`, () => {
      expect(MAX_PAYLOAD_DEPTH).toBe(64);
      for (const kind of ['object', 'array'] as const) {
        expect(parseEnvelope({ ...good, payload: nested(MAX_PAYLOAD_DEPTH, kind) })).toBeDefined();
        expect(() => parseEnvelope({ ...good, payload: nested(MAX_PAYLOAD_DEPTH + 1, kind) })).toThrow(MessagioEnvelopeError);
      }
    });

    it('refuses a payload nested 100,000 levels with too-deep, stating the limit (no RangeError)', () => {
      let error: unknown;
      try {
        parseEnvelope({ ...good, payload: nested(100_000) });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MessagioEnvelopeError);
      expect((error as MessagioEnvelopeError).problem).toBe('too-deep');
      expect((error as Error).message).toBe('Payload nests objects and arrays more than 64 levels deep (the limit); it cannot be rebuilt. Fire flatter messages.');
      // The same, parsed from JSON text as a broker hands it over.
      const text = `{"v":1,"type":"T","id":"m","traceId":"t","causationId":null,"firedAt":"2026-01-01T00:00:00.000Z","listener":"l","payload":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
      expect(() => parseEnvelope(JSON.parse(text))).toThrow(/more than 64 levels deep/);
    });
  });

  describe('payload size cap', () => {
    const sizeOf = (payload: object) => Buffer.byteLength(JSON.stringify(payload));
    const problem = (payload: object, max: number) => {
      try {
        parseEnvelope({ ...good, payload }, max);
        return 'accepted';
      } catch (e) {
        return (e as MessagioEnvelopeError).problem;
      }
    };

    it.each([
      ['ascii', { text: 'x'.repeat(300), n: 12345.678, ok: true, none: null }],
      ['escapes and control characters', { text: '"\\\n\u0001'.repeat(40) }],
      ['multi-byte and astral characters', { text: 'é€😀'.repeat(50), list: ['ü', 2, [false]] }],
      ['numbers of every shape', { a: -1.7976931348623157e308, b: 5e-324, c: 0.000001234567890123456, d: -123456789012345680000 }],
      ['keys that need escaping', { 'k"\\\n': 1, 'ключ': 'значение' }],
    ])('rejects exactly the payloads over the cap (%s)', (_label, payload) => {
      const size = sizeOf(payload);
      expect(problem(payload, size)).toBe('accepted');
      expect(problem(payload, size - 1)).toBe('payload-too-large');
    });

    it('measures values with toJSON as JSON renders them', () => {
      const payload = { at: new Date('2026-01-01T00:00:00.000Z') };
      expect(problem(payload, sizeOf(payload))).toBe('accepted');
      expect(problem(payload, sizeOf(payload) - 1)).toBe('payload-too-large');
    });
  });

  it('builds envelopes in the canonical field order, which isCanonicalEnvelope recognises', () => {
    const built = makeEnvelope(good as MessagioEnvelope, 'Other.listener', { x: 1 });
    expect(Object.keys(built)).toEqual(['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener', 'payload']);
    expect(built).toEqual({ ...good, listener: 'Other.listener', payload: { x: 1 } });
    expect(isCanonicalEnvelope(built)).toBe(true);
    expect(isCanonicalEnvelope(good)).toBe(true);
  });

  it('places frozen headers before the payload; only frozen string headers keep an envelope canonical', () => {
    const headers = Object.freeze({ tenantId: 'acme' });
    const built = makeEnvelope({ ...(good as MessagioEnvelope), headers }, 'L', { x: 1 });
    expect(Object.keys(built)).toEqual(['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener', 'headers', 'payload']);
    expect(built.headers).toBe(headers);
    expect(isCanonicalEnvelope(built)).toBe(true);
    const { payload, headers: _headers, ...head } = built;
    const cases: Array<[string, unknown]> = [
      ['headers not frozen', { ...head, headers: { tenantId: 'acme' }, payload }],
      ['a header that is not a string', { ...head, headers: Object.freeze({ n: 1 }), payload }],
      ['headers after the payload', { ...head, payload, headers }],
      ['headers that are null', { ...head, headers: null, payload }],
    ];
    for (const [what, value] of cases) expect([what, isCanonicalEnvelope(value)]).toEqual([what, false]);
  });

  it('carries a version and headers together, each in its place, and stays canonical', () => {
    const headers = Object.freeze({ tenantId: 'acme' });
    const built = makeEnvelope({ ...(good as MessagioEnvelope), typeVersion: 2, headers }, 'L', { x: 1 });
    expect(Object.keys(built)).toEqual(['v', 'type', 'typeVersion', 'id', 'traceId', 'causationId', 'firedAt', 'listener', 'headers', 'payload']);
    expect(isCanonicalEnvelope(built)).toBe(true);
    expect(parseEnvelope(JSON.parse(JSON.stringify(built)))).toEqual(built);
  });

  it('carries a message version other than 1 right after the type, and stays canonical with it', () => {
    const head = { ...good, typeVersion: 3 } as MessagioEnvelope;
    const built = makeEnvelope(head, 'Other.listener', { x: 1 });
    expect(Object.keys(built)).toEqual(['v', 'type', 'typeVersion', 'id', 'traceId', 'causationId', 'firedAt', 'listener', 'payload']);
    expect(isCanonicalEnvelope(built)).toBe(true);
    expect(JSON.parse(JSON.stringify(built))).toEqual(built);
    expect(parseEnvelope(built).typeVersion).toBe(3);
    // Without one (version 1), the envelope keeps its lean form.
    expect('typeVersion' in makeEnvelope(good as MessagioEnvelope, 'L.m', {})).toBe(false);
  });

  it.each([
    ['0', 0],
    ['1.5', 1.5],
    ['"2"', '2'],
    ['-1', -1],
    ['null', null],
    ['an object', { v: 2 }],
  ])('refuses a typeVersion of %s as malformed', (_label, typeVersion) => {
    let error: unknown;
    try {
      parseEnvelope({ ...good, typeVersion });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MessagioEnvelopeError);
    expect((error as MessagioEnvelopeError).problem).toBe('malformed');
    expect((error as Error).message).toMatch(/^Not a messagio envelope: "typeVersion" must be a whole number ≥ 1 when present/);
  });

  it('calls an envelope canonical only when JSON would give back all but its payload unchanged', () => {
    const { listener, ...withoutListener } = good;
    const cases: Array<[string, unknown]> = [
      ['keys in another order', { ...withoutListener, payload: good.payload, listener }],
      ['an extra key', { ...good, extra: 'x' }],
      ['a missing key', withoutListener],
      ['a Date field', { ...good, firedAt: new Date(0) }],
      ['an undefined field', { ...good, causationId: undefined }],
      ['a typeVersion elsewhere than after type', { v: 1, type: 'T', id: 'm', typeVersion: 2, traceId: 't', causationId: null, firedAt: good.firedAt, listener: 'L.m', payload: {} }],
      ['an undefined typeVersion', { v: 1, type: 'T', typeVersion: undefined, id: 'm', traceId: 't', causationId: null, firedAt: good.firedAt, listener: 'L.m', payload: {} }],
      ['NaN', { ...good, v: Number.NaN }],
      ['-0', { ...good, v: -0 }],
      ['a nested object outside the payload', { ...good, traceId: { t: 1 } }],
      ['a class instance', Object.assign(new (class Envelope {})(), good)],
      ['null', null],
      ['an array', [good]],
    ];
    for (const [what, value] of cases) {
      expect([what, isCanonicalEnvelope(value)]).toEqual([what, false]);
    }
  });

  it('copies a flat payload exactly as a JSON round trip gives it back, and declines anything else', () => {
    const flat: Record<string, unknown> = {
      s: 'text \u2028 \ud800 "quoted"',
      n: 12.5,
      zero: -0,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
      t: true,
      f: false,
      nul: null,
      undef: undefined,
      fn: () => 1,
      sym: Symbol('s'),
      2: 'integer-like key, ordered first by both',
      big: Number.MAX_SAFE_INTEGER,
    };
    const copy = copyAsJson(flat)!;
    const json = JSON.parse(JSON.stringify(flat)) as Record<string, unknown>;
    expect(copy).toEqual(json);
    expect(Object.keys(copy)).toEqual(Object.keys(json));
    expect(Object.is(copy.zero, 0)).toBe(true);
    expect(copy).not.toBe(flat);
    expect(copyAsJson({})).toEqual({});

    for (const value of [{ nested: {} }, { list: [] }, { at: new Date(0) }, { big: BigInt(1) }]) {
      expect(copyAsJson(value as Record<string, unknown>)).toBeUndefined();
    }
    const withProto = JSON.parse('{"__proto__": "x", "a": 1}') as Record<string, unknown>;
    expect(copyAsJson(withProto)).toBeUndefined();
  });
});
