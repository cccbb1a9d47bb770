import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import fc from 'fast-check';
import { MessagioCodec } from '../../lib/message/codec.js';
import type { MessagioEnvelope } from '../../lib/message/envelope.js';
import { parseEnvelope } from '../../lib/message/envelope.guard.js';
import { MAX_PAYLOAD_DEPTH } from '../../lib/message/payload-depth.js';
import { Messagio, MessagioEnvelopeError, MessagioValidationError } from '../../lib/index.js';

// Property-based tests of the worker's guard: whatever job data Redis hands
// over, parseEnvelope either accepts a well-formed envelope or throws
// MessagioEnvelopeError, never anything else; rebuilding an accepted payload
// into a registered class gives an instance of it or MessagioEnvelopeError;
// and none of it changes any prototype.

// ---- Generated JSON: a tree rendered both as JSON text (parsed back, as a
// broker's data is, so "__proto__" becomes a real own key) and as JS values
// built directly (keeping NaN, -0, Infinity and undefined).

type Tree = { leaf: unknown } | { array: Tree[] } | { object: Array<[string, Tree]> };

const SPECIAL_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'toJSON',
  'then', 'length', '0', '', 'v', 'type', 'id', 'payload', 'firedAt', 'name', 'line', 'lines', 'at', 'n', 'describe', 'label',
];
const key = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(), // NaN, -0, ±Infinity included
  fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('2026-01-02T03:04:05.678Z', 'not a date', '__proto__', '{"__proto__":1}'),
);
// An object no primitive can be made of (String(), Number(), new Date() throw on it).
const unconvertible: Tree = { object: [['toString', { leaf: 1 }], ['valueOf', { leaf: 1 }]] };
const { tree, object: objectTree } = fc.letrec<{ tree: Tree; object: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    leaf.map((value) => ({ leaf: value })),
    fc.array(tie('tree'), { maxLength: 4 }).map((array) => ({ array })),
    tie('object'),
    fc.constant(unconvertible),
  ),
  object: fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((object) => ({ object })),
}));

/** A tree wrapped in `levels` objects or arrays: around the 64-level limit, and now and then far past any stack. */
const levels = fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 1, max: 2 * MAX_PAYLOAD_DEPTH }) }, { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 30_000 }) });
const deep = fc.tuple(levels, fc.constantFrom('object', 'array'), key, tree).map(([levels, kind, k, inner]) => {
  let t = inner;
  for (let i = 0; i < levels; i++) t = kind === 'array' ? { array: [t] } : { object: [[k, t]] };
  return t;
});

// Both renderings unwrap single-child chains (the deep ones) in a loop: no recursion per level.
function toJson(t: Tree): string {
  let open = '';
  let close = '';
  while (('array' in t && t.array.length === 1) || ('object' in t && t.object.length === 1)) {
    if ('array' in t) {
      open += '[';
      close = `]${close}`;
      t = t.array[0]!;
    } else {
      open += `{${JSON.stringify(t.object[0]![0])}:`;
      close = `}${close}`;
      t = t.object[0]![1];
    }
  }
  let inner: string;
  if ('leaf' in t) inner = JSON.stringify(t.leaf) ?? 'null';
  else if ('array' in t) inner = `[${t.array.map(toJson).join(',')}]`;
  else inner = `{${t.object.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  return open + inner + close;
}

function toValue(t: Tree): unknown {
  const chain: Array<[unknown[] | Record<string, unknown>, string | number]> = [];
  while (('array' in t && t.array.length === 1) || ('object' in t && t.object.length === 1)) {
    if ('array' in t) {
      chain.push([[], 0]);
      t = t.array[0]!;
    } else {
      chain.push([{}, t.object[0]![0]]);
      t = t.object[0]![1];
    }
  }
  let value: unknown;
  if ('leaf' in t) value = t.leaf;
  else if ('array' in t) value = t.array.map(toValue);
  else {
    const o: Record<string, unknown> = {};
    for (const [k, v] of t.object) define(o, k, toValue(v));
    value = o;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const [container, k] = chain[i]!;
    if (Array.isArray(container)) container.push(value);
    else define(container, k as string, value);
    value = container;
  }
  return value;
}

/** An own enumerable property, even for "__proto__" (as JSON.parse makes it). */
function define(o: Record<string, unknown>, k: string, value: unknown): void {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}

// ---- firedAt candidates: real instants, near-misses around every range, anything.

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const dateParts = fc.record({
  year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1900, 2000, 2024, 2026, 2100, 9999)),
  month: fc.integer({ min: 0, max: 13 }),
  day: fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(28, 29, 30, 31)),
  hour: fc.integer({ min: 0, max: 24 }),
  minute: fc.integer({ min: 0, max: 60 }),
  second: fc.integer({ min: 0, max: 60 }),
  fraction: fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined }),
  offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 })).map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`)),
});
const isoString = fc
  .date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const nearIso = dateParts.map(
  (p) => `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}${p.fraction === undefined ? '' : `.${p.fraction}`}${p.offset}`,
);
const firedAt = fc.oneof(isoString, nearIso, fc.string({ unit: 'binary', maxLength: 30 }), leaf);
const mostlyValidFiredAt = fc.oneof({ weight: 12, arbitrary: isoString }, { weight: 2, arbitrary: nearIso }, { weight: 1, arbitrary: firedAt });

/**
 * For an accepted firedAt: the instant its fields name, computed without the
 * Date parser, or NaN when a field is out of range or the day does not exist.
 */
function instantOf(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):(\d\d))$/.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (m[8] !== 'Z' && (Number(m[10]) > 23 || Number(m[11]) > 59)) return Number.NaN;
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  const offset = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset * 60_000;
}

/** A payload with the registered class's keys (see Order below), any values: what class-transformer converts. */
const shapedPayload = fc
  .array(fc.tuple(fc.constantFrom('name', 'lines', 'line', 'at', 'n', 'label', 'describe', 'hidden'), tree), { maxLength: 6 })
  .map((object) => ({ object }) as Tree);

// ---- Envelopes: each field valid or not, any payload, extra keys.

const ENVELOPE_FIELDS = ['v', 'type', 'id', 'traceId', 'causationId', 'firedAt', 'listener'] as const;
const fieldValue = (field: (typeof ENVELOPE_FIELDS)[number]): fc.Arbitrary<Tree> => {
  const valid: Record<string, fc.Arbitrary<unknown>> = {
    v: fc.constant(1),
    type: fc.constantFrom('test.order', 'T'),
    id: fc.string({ minLength: 1, maxLength: 8 }),
    traceId: fc.string({ minLength: 1, maxLength: 8 }),
    causationId: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: null }),
    listener: fc.constantFrom('L.on', 'x'),
    firedAt: mostlyValidFiredAt,
  };
  return fc.oneof({ weight: 30, arbitrary: valid[field]!.map((value) => ({ leaf: value }) as Tree) }, { weight: 1, arbitrary: tree });
};
const envelopeTree = fc
  .tuple(
    fc.tuple(...ENVELOPE_FIELDS.map((f) => fc.option(fieldValue(f), { freq: 60, nil: undefined }))),
    fc.oneof({ weight: 3, arbitrary: objectTree }, { weight: 3, arbitrary: shapedPayload }, { weight: 2, arbitrary: deep }, { weight: 1, arbitrary: tree }),
    fc.array(fc.tuple(key, tree), { maxLength: 2 }),
  )
  .map(([fields, payload, extra]) => {
    const entries: Array<[string, Tree]> = [];
    ENVELOPE_FIELDS.forEach((f, i) => {
      if (fields[i] !== undefined) entries.push([f, fields[i]!]);
    });
    entries.push(['payload', payload], ...extra);
    return { object: entries } as Tree;
  });

/**
 * Job data as a broker hands it over (JSON text parsed) or as JS values built
 * directly. It prints as (the start of) its JSON: fast-check's own printer
 * recurses per level and could not report a counterexample thousands of levels deep.
 */
class JobData {
  constructor(
    readonly tree: Tree,
    readonly viaJson: boolean,
  ) {}
  build(): unknown {
    return this.viaJson ? JSON.parse(toJson(this.tree)) : toValue(this.tree);
  }
  [fc.toStringMethod](): string {
    const json = toJson(this.tree);
    return `${this.viaJson ? 'JSON.parse' : 'value'} ${json.length > 2000 ? `${json.slice(0, 2000)}… (${json.length} chars)` : json}`;
  }
}
const jobData = fc
  .tuple(fc.oneof({ weight: 8, arbitrary: envelopeTree }, { weight: 1, arbitrary: tree }, { weight: 1, arbitrary: deep }), fc.boolean())
  .map(([t, viaJson]) => new JobData(t, viaJson));

// ---- A registered class with the features a rebuild touches.

class Line {
  @IsString() sku!: string;
  @IsInt() qty!: number;
  total(): number {
    return this.qty;
  }
}

class Order extends Messagio {
  @IsString() name!: string;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Line) lines?: Line[];
  @IsOptional() @ValidateNested() @Type(() => Line) line?: Line;
  @IsOptional() @IsDate() @Type(() => Date) at?: Date;
  n?: unknown;
  private hidden = '';
  constructor(name: string) {
    super();
    this.name = name;
  }
  describe(): string {
    return this.name;
  }
  get label(): string {
    return this.hidden;
  }
  set label(value: string) {
    this.hidden = String(value);
  }
}

const codec = new MessagioCodec({ validate: true, validation: { forbidUnknownValues: false } });

// ---- Prototype snapshots.

const WATCHED: Array<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['Messagio.prototype', Messagio.prototype],
  ['Order.prototype', Order.prototype],
  ['Line.prototype', Line.prototype],
  ['Order', Order],
];

type Snapshot = Array<[string, Array<[string | symbol, unknown, unknown, unknown]>, object | null]>;

function snapshot(): Snapshot {
  return WATCHED.map(([name, target]) => [
    name,
    Reflect.ownKeys(target).map((k) => {
      const d = Object.getOwnPropertyDescriptor(target, k)!;
      return [k, d.value, d.get, d.set];
    }),
    Object.getPrototypeOf(target) as object | null,
  ]);
}

/** Fails unless every watched object has the same own keys, values, accessors and prototype (compared by identity). */
function expectUnchanged(before: Snapshot): void {
  const now = snapshot();
  const same = now.every(
    ([, props, proto], i) =>
      proto === before[i]![2] &&
      props.length === before[i]![1].length &&
      props.every((p, j) => p.every((x, n) => Object.is(x, before[i]![1][j]![n]))),
  );
  if (!same) expect(now).toEqual(before); // reports the difference
}

/** Visits every key of a payload, at every depth (without recursion), and returns its depth. */
function walk(payload: unknown, visit: (key: string) => void): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[payload, 1]];
  while (stack.length > 0) {
    const [value, level] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    deepest = Math.max(deepest, level);
    for (const k of Object.keys(value)) {
      visit(k);
      stack.push([(value as Record<string, unknown>)[k], level + 1]);
    }
  }
  return deepest;
}

function expectWellFormed(envelope: MessagioEnvelope): void {
  expect(envelope.v).toBe(1);
  for (const f of ['type', 'id', 'traceId', 'listener', 'firedAt'] as const) {
    expect(typeof envelope[f]).toBe('string');
    expect(envelope[f]).not.toBe('');
  }
  expect(envelope.causationId === null || typeof envelope.causationId === 'string').toBe(true);
  expect(typeof envelope.payload).toBe('object');
  expect(envelope.payload).not.toBeNull();
  expect(Array.isArray(envelope.payload)).toBe(false);
  // The date it names is the one a listener gets, with no day rolled over.
  const at = new Date(envelope.firedAt).getTime();
  expect(Number.isNaN(at)).toBe(false);
  expect(at).toBe(instantOf(envelope.firedAt));
  const forbidden: string[] = [];
  const depth = walk(envelope.payload, (k) => {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') forbidden.push(k);
  });
  expect(forbidden).toEqual([]);
  expect(depth).toBeLessThanOrEqual(MAX_PAYLOAD_DEPTH);
}

describe('envelope guard (property-based)', () => {
  const before = snapshot();
  afterEach(() => {
    expectUnchanged(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts a well-formed envelope or throws MessagioEnvelopeError, for any job data, and pollutes no prototype', async () => {
    let accepted = 0;
    let rebuilt = 0;
    let unbuildable = 0;
    const problems = new Set<string>();
    await fc.assert(
      fc.asyncProperty(jobData, fc.oneof({ weight: 9, arbitrary: fc.constant(Infinity) }, { weight: 1, arbitrary: fc.constant(64) }), async (data, maxPayloadBytes) => {
        const raw = data.build();
        let envelope: MessagioEnvelope;
        try {
          envelope = parseEnvelope(raw, maxPayloadBytes);
        } catch (error) {
          if (!(error instanceof MessagioEnvelopeError)) throw error;
          problems.add(error.problem);
          expectUnchanged(before);
          return;
        }
        accepted++;
        expectWellFormed(envelope);
        // What the worker does next with it: rebuild as a registered class (which may
        // refuse data that does not fit the class, typed too), validate.
        let message: Order;
        try {
          message = codec.rebuild(Order, envelope.payload);
        } catch (error) {
          if (!(error instanceof MessagioEnvelopeError) || error.problem !== 'unbuildable') throw error;
          unbuildable++;
          expectUnchanged(before);
          return;
        }
        rebuilt++;
        expect(Object.getPrototypeOf(message)).toBe(Order.prototype);
        expect(message.describe).toBe(Order.prototype.describe);
        await codec.check(message, 'test.order').catch((error: unknown) => {
          if (!(error instanceof MessagioValidationError)) throw error;
        });
        expectUnchanged(before);
      }),
      { numRuns: 5000 },
    );
    // The generators reach both outcomes and every kind of refusal the guard has.
    expect(accepted).toBeGreaterThan(500);
    expect(rebuilt).toBeGreaterThan(accepted / 2);
    expect(unbuildable).toBeGreaterThan(0);
    expect([...problems].sort()).toEqual(['forbidden-key', 'malformed', 'payload-too-large', 'too-deep', 'unsupported-version']);
  });

  it('accepts exactly the firedAt values that name a real instant, and that instant is ctx.firedAt', () => {
    const base = { v: 1, type: 'T', id: 'm', traceId: 't', causationId: null, listener: 'L', payload: {} };
    let accepted = 0;
    fc.assert(
      fc.property(firedAt, (value) => {
        const valid = typeof value === 'string' && !Number.isNaN(instantOf(value));
        let outcome: string;
        try {
          parseEnvelope({ ...base, firedAt: value });
          outcome = 'accepted';
        } catch (error) {
          if (!(error instanceof MessagioEnvelopeError)) throw error;
          outcome = error.problem;
        }
        expect([value, outcome]).toEqual([value, valid ? 'accepted' : 'malformed']);
        if (valid) {
          accepted++;
          expect(new Date(value).getTime()).toBe(instantOf(value));
        }
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(800);
  });
});
