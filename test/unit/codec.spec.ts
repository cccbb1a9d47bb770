import { Type } from 'class-transformer';
import { IsDate, IsInt, IsString, ValidateNested } from 'class-validator';
import { MessagioCodec } from '../../lib/message/codec.js';
import { parseEnvelope } from '../../lib/message/envelope.guard.js';
import { MAX_PAYLOAD_DEPTH } from '../../lib/message/payload-depth.js';
import { Messagio, MessagioEnvelopeError, MessagioPayloadTooDeepError, MessagioType, MessagioValidationError } from '../../lib/index.js';

class Line {
  @IsString() sku!: string;
  @IsInt() qty!: number;
  total(price: number): number {
    return price * this.qty;
  }
}

class Order extends Messagio {
  @IsString() id: string;
  @ValidateNested({ each: true }) @Type(() => Line) lines: Line[];
  @IsDate() @Type(() => Date) at: Date;
  constructor(id: string, lines: Line[], at: Date) {
    super();
    this.id = id;
    this.lines = lines;
    this.at = at;
  }
}

class Bare extends Messagio {
  note = 'no decorators at all';
}

/** A nested class whose constructor needs its argument: class-transformer constructs it with none. */
class Part {
  code: string;
  constructor(code: string) {
    if (!code) throw new Error('a Part needs a code');
    this.code = code;
  }
}

class Strict extends Messagio {
  @Type(() => Part) part!: Part;
}

@MessagioType('test.tree')
class Tree extends Messagio {
  root: unknown;
  constructor(root: unknown) {
    super();
    this.root = root;
  }
}

/** `{ a: { a: ... leaf } }`: `levels` objects, built without recursion. */
function chain(levels: number, leaf: unknown = 1): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let inner = root;
  for (let level = 2; level <= levels; level++) inner = (inner.a = {}) as Record<string, unknown>;
  inner.a = leaf;
  return root;
}

const line = (sku: string, qty: number) => Object.assign(new Line(), { sku, qty });
const codec = new MessagioCodec({ validate: true, validation: { forbidUnknownValues: false } });

// What the publisher does at fire (check, then toPayload) and the dispatcher on
// the worker (rebuild, then check): the codec's two sides as the pipeline calls them.
async function encode(c: MessagioCodec, message: Messagio, type: string): Promise<Record<string, unknown>> {
  await c.check(message, type);
  return c.toPayload(message);
}
async function decode<T extends Messagio>(c: MessagioCodec, cls: new (...args: any[]) => T, type: string, payload: Record<string, unknown>): Promise<T> {
  const message = c.rebuild(cls, payload);
  await c.check(message, type);
  return message;
}

describe('codec', () => {
  it('encodes own properties to JSON-safe data and rebuilds a real instance', async () => {
    const order = new Order('o1', [line('a', 2), line('b', 3)], new Date('2026-05-06T07:08:09.010Z'));
    const payload = await encode(codec, order, 'Order');
    const wire = JSON.parse(JSON.stringify(payload));
    expect(wire).toEqual({ id: 'o1', lines: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 3 }], at: '2026-05-06T07:08:09.010Z' });
    const back = await decode(codec, Order, 'Order', wire);
    expect(back).toBeInstanceOf(Order);
    expect(back.lines[1]).toBeInstanceOf(Line);
    expect(back.lines[1]!.total(10)).toBe(30);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.getTime()).toBe(order.at.getTime());
  });

  it('names every failing property, nested ones by path', async () => {
    const order = new Order('o1', [line('a', 2), line('b', 1.5)], new Date('invalid'));
    const error = (await encode(codec, order, 'Order').catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.properties).toEqual(['lines.1.qty', 'at']);
    expect(error.messageType).toBe('Order');
    expect(error.message).toContain('lines.1.qty (qty must be an integer number)');
  });

  it('validates again on decode', async () => {
    await expect(decode(codec, Order, 'Order', { id: 5, lines: [], at: 'x' })).rejects.toBeInstanceOf(MessagioValidationError);
  });

  it('accepts a message class without any constraint', async () => {
    await expect(encode(codec, new Bare(), 'Bare')).resolves.toEqual({ note: 'no decorators at all' });
  });

  it('skips validation when turned off', async () => {
    const off = new MessagioCodec({ validate: false, validation: {} });
    await expect(decode(off, Order, 'Order', { id: 5 })).resolves.toBeInstanceOf(Order);
  });

  it.each([
    ['an object where a Date goes', Order, JSON.parse('{"id":"o","lines":[],"at":{"toString":1}}')],
    ['objects in an array where Dates go', Order, JSON.parse('{"id":"o","lines":[],"at":[{"valueOf":1,"toString":1}]}')],
    ['a nested @Type class whose constructor needs arguments', Strict, { part: { code: 'p1' } }],
  ])('refuses a stored payload class-transformer cannot rebuild (%s) with MessagioEnvelopeError', (_label, cls, payload) => {
    const error = (() => {
      try {
        codec.rebuild(cls as typeof Order, payload as Record<string, unknown>);
      } catch (e) {
        return e;
      }
    })() as MessagioEnvelopeError;
    expect(error).toBeInstanceOf(MessagioEnvelopeError);
    expect(error.problem).toBe('unbuildable');
    expect(error.message).toMatch(/^Payload cannot be rebuilt as (Order|Strict) \((TypeError|Error): .+\): the stored data does not fit the class/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  describe(`payload depth (at most ${MAX_PAYLOAD_DEPTH} levels, as workers accept)`, () => {
    const off = new MessagioCodec({ validate: false, validation: {} });
    // The message is level 1 and its `root` property level 2.
    const deepest = MAX_PAYLOAD_DEPTH - 1;

    it('encodes a payload as deep as a worker accepts, and the worker accepts it', () => {
      const payload = off.toPayload(new Tree(chain(deepest)));
      const stored = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
      const envelope = { v: 1, type: 'test.tree', id: 'm', traceId: 't', causationId: null, firedAt: '2026-01-01T00:00:00.000Z', listener: 'L', payload: stored };
      expect(parseEnvelope(envelope).payload).toBe(stored);
      expect(off.rebuild(Tree, stored).root).toEqual(chain(deepest));
      // A Date is rendered as a string by JSON: a leaf, not a level.
      expect(() => off.toPayload(new Tree(chain(deepest, new Date(0))))).not.toThrow();
    });

    it.each([
      ['one level more than workers accept', () => new Tree(chain(deepest + 1))],
      ['100,000 levels (class-transformer would overflow its stack)', () => new Tree(chain(100_000))],
      ['a message that refers to itself', () => {
        const tree = new Tree(null);
        tree.root = { back: tree };
        return tree;
      }],
    ])('refuses %s with MessagioPayloadTooDeepError', (_label, make) => {
      const error = (() => {
        try {
          off.toPayload(make());
        } catch (e) {
          return e;
        }
      })() as MessagioPayloadTooDeepError;
      expect(error).toBeInstanceOf(MessagioPayloadTooDeepError);
      expect(error.messageType).toBe('test.tree');
      expect(error.maxDepth).toBe(64);
      expect(error.message).toMatch(/^test\.tree payload nests objects and arrays more than 64 levels deep/);
    });
  });
});
