import { ENVELOPE_VERSION, parseEnvelope } from '../../lib/message/envelope.js';
import { MessagioEnvelopeError } from '../../lib/index.js';

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
});
