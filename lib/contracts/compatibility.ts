import type { ContractsSnapshot, TypeContract } from './contracts-snapshot.js';
import type { JsonSchema } from './json-schema.js';

/** How a change affects jobs already stored and processes still on the snapshot's code. */
export type ContractVerdict = 'compatible' | 'breaking' | 'compatible with upcaster';

/** One difference between a snapshot and the app's current contracts. */
export interface ContractChange {
  /** Wire name of the message type. */
  type: string;
  change: string;
  verdict: ContractVerdict;
}

/**
 * The changes from `before` (the committed snapshot) to `after` (the app now),
 * each with its verdict, in wire-name order. Breaking: a type removed (or
 * renamed: a type missing while another is new), a required property added, a
 * property removed or retyped, a value made required, an enum narrowed, a
 * format added or changed, a version lowered. Compatible: a type or an optional
 * property added, a type widened (null allowed, integer → number), an enum
 * widened, a property made optional. A breaking change of a type whose version
 * was raised, with an upcaster from each version since the snapshot's, is
 * compatible with upcaster: stored payloads are upcast before they are read.
 * A pure function of the two snapshots.
 */
export function compareContracts(before: ContractsSnapshot, after: ContractsSnapshot): ContractChange[] {
  const changes: ContractChange[] = [];
  const added = Object.keys(after.types).filter((name) => !(name in before.types));
  for (const name of sorted([...Object.keys(before.types), ...added])) {
    const old = before.types[name];
    const now = after.types[name];
    if (!old) changes.push({ type: name, change: 'type added', verdict: 'compatible' });
    else if (!now) {
      const renamed = added.length > 0 ? ` (renamed? new: ${added.join(', ')})` : '';
      changes.push({ type: name, change: `type removed${renamed}: its stored messages have no class to be read as`, verdict: 'breaking' });
    } else changes.push(...compareType(name, old, now));
  }
  return changes;
}

function compareType(name: string, old: TypeContract, now: TypeContract): ContractChange[] {
  if (now.version < old.version) return [{ type: name, change: `version lowered from ${old.version} to ${now.version}`, verdict: 'breaking' }];
  const differences = new SchemaComparison(old.schema, now.schema).compare();
  const changes: ContractChange[] = [];
  let upcast = false;
  if (now.version > old.version) {
    const missing = range(old.version, now.version).filter((v) => !now.upcastsFrom.includes(v));
    upcast = missing.length === 0;
    const how = upcast ? `upcasters from ${range(old.version, now.version).join(', ')}` : `no upcaster from ${missing.join(', ')}`;
    changes.push({ type: name, change: `version ${old.version} → ${now.version} (${how})`, verdict: upcast ? 'compatible' : 'breaking' });
  }
  for (const { change, breaking } of differences) {
    const verdict: ContractVerdict = !breaking ? 'compatible' : upcast ? 'compatible with upcaster' : 'breaking';
    const hint = breaking && now.version === old.version ? ' (raise the version and add an upcaster)' : '';
    changes.push({ type: name, change: change + hint, verdict });
  }
  return changes;
}

/** A schema node read for comparison: its JSON types (undefined: any), format, enum, properties, items. */
interface Shape {
  types: Set<string> | undefined;
  format: string | undefined;
  enum: unknown[] | undefined;
  properties: Record<string, JsonSchema> | undefined;
  required: Set<string>;
  items: JsonSchema | undefined;
  /** The definition a reference led to, to stop at cycles. */
  ref: string | undefined;
}

/** Two payload schemas (message-schema.ts: root at `#`, nested classes under `definitions`), walked side by side. */
class SchemaComparison {
  private readonly found: Array<{ change: string; breaking: boolean }> = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly before: JsonSchema,
    private readonly after: JsonSchema,
  ) {}

  compare(): Array<{ change: string; breaking: boolean }> {
    this.seen.add('#\n#'); // the roots: a class that refers to itself is compared once
    this.node(this.before, this.after, '');
    return this.found;
  }

  private node(beforeNode: JsonSchema, afterNode: JsonSchema, path: string): void {
    const b = shapeOf(beforeNode, this.before);
    const a = shapeOf(afterNode, this.after);
    if (b.ref !== undefined && a.ref !== undefined) {
      const pair = `${b.ref}\n${a.ref}`;
      if (this.seen.has(pair)) return;
      this.seen.add(pair);
    }
    const where = path === '' ? 'payload' : `property ${path}`;
    this.types(b, a, where);
    if (a.format !== b.format) {
      if (a.format !== undefined) this.add(`${where} retyped: format ${b.format ?? 'none'} → ${a.format}`, true);
      else this.add(`${where}: format ${b.format} dropped`, false);
    }
    this.enums(b, a, where);
    if (b.properties && a.properties) this.properties(b, a, path);
    if (b.items && a.items) this.node(b.items, a.items, `${path}[]`);
  }

  private types(b: Shape, a: Shape, where: string): void {
    if (sameSet(b.types, a.types)) return;
    const show = (t: Set<string> | undefined) => (t ? [...t].join('|') : 'any');
    if (a.types === undefined || (b.types !== undefined && [...b.types].every((t) => a.types!.has(t) || (t === 'integer' && a.types!.has('number'))))) {
      this.add(`${where} widened: ${show(b.types)} → ${show(a.types)}`, false);
    } else {
      this.add(`${where} retyped: ${show(b.types)} → ${show(a.types)}`, true);
    }
  }

  private enums(b: Shape, a: Shape, where: string): void {
    if (a.enum === undefined) {
      if (b.enum !== undefined) this.add(`${where}: enum dropped (any value of its type)`, false);
      return;
    }
    if (b.enum === undefined) {
      this.add(`${where}: enum narrowed to ${list(a.enum)} (any value of its type before)`, true);
      return;
    }
    const removed = b.enum.filter((v) => !a.enum!.some((w) => same(v, w)));
    const added = a.enum.filter((v) => !b.enum!.some((w) => same(v, w)));
    if (removed.length > 0) this.add(`${where}: enum narrowed (removed ${list(removed)})`, true);
    if (added.length > 0) this.add(`${where}: enum widened (added ${list(added)})`, false);
  }

  private properties(b: Shape, a: Shape, path: string): void {
    const at = (name: string) => (path === '' ? name : `${path}.${name}`);
    for (const name of Object.keys(b.properties!)) {
      if (!(name in a.properties!)) this.add(`property ${at(name)} removed`, true);
    }
    for (const name of Object.keys(a.properties!)) {
      if (name in b.properties!) continue;
      if (a.required.has(name)) this.add(`required property ${at(name)} added`, true);
      else this.add(`optional property ${at(name)} added`, false);
    }
    for (const name of Object.keys(b.properties!)) {
      if (!(name in a.properties!)) continue;
      if (!b.required.has(name) && a.required.has(name)) this.add(`property ${at(name)} made required`, true);
      if (b.required.has(name) && !a.required.has(name)) this.add(`property ${at(name)} made optional`, false);
      this.node(b.properties![name]!, a.properties![name]!, at(name));
    }
  }

  private add(change: string, breaking: boolean): void {
    this.found.push({ change, breaking });
  }
}

/**
 * What comparison reads of a node: references followed (`#`, `#/definitions/X`),
 * a single-entry `allOf` unwrapped, `anyOf: [X, { type: 'null' }]` read as X or null.
 */
function shapeOf(node: JsonSchema, root: JsonSchema): Shape {
  let ref: string | undefined;
  let current = node;
  const extraTypes = new Set<string>();
  for (let hops = 0; hops < 32; hops++) {
    if (typeof current.$ref === 'string') {
      ref = current.$ref;
      current = resolve(current.$ref, root);
    } else if (Array.isArray(current.allOf) && current.allOf.length === 1 && current.type === undefined) {
      current = current.allOf[0] as JsonSchema;
    } else if (Array.isArray(current.anyOf) && current.anyOf.length === 2 && current.anyOf.some(isNull)) {
      extraTypes.add('null');
      current = current.anyOf.find((s) => !isNull(s)) as JsonSchema;
    } else break;
  }
  let types: Set<string> | undefined;
  if (typeof current.type === 'string') types = new Set([current.type]);
  else if (Array.isArray(current.type)) types = new Set(current.type as string[]);
  if (types) for (const t of extraTypes) types.add(t);
  return {
    types,
    format: typeof current.format === 'string' ? current.format : undefined,
    enum: Array.isArray(current.enum) ? current.enum : undefined,
    properties: isRecord(current.properties) ? (current.properties as Record<string, JsonSchema>) : undefined,
    required: new Set(Array.isArray(current.required) ? (current.required as string[]) : []),
    items: isRecord(current.items) ? (current.items as JsonSchema) : undefined,
    ref,
  };
}

function resolve(ref: string, root: JsonSchema): JsonSchema {
  if (ref === '#') return root;
  const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
  const found = name !== undefined && isRecord(root.definitions) ? (root.definitions as Record<string, JsonSchema>)[name] : undefined;
  return found ?? {};
}

function isNull(schema: unknown): boolean {
  return isRecord(schema) && schema.type === 'null' && Object.keys(schema).length === 1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameSet(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function list(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** from, from + 1, …, to − 1. */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function sorted(names: string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
