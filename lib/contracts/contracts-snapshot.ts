import { MessagioSnapshotError } from '../errors/messagio-snapshot.error.js';
import type { JsonSchema } from './json-schema.js';
import type { KnownMessage } from './known-messages.js';
import { messageSchema } from './message-schema.js';

/** The format tag of a contracts snapshot file. */
export const SNAPSHOT_FORMAT = 'nestjs-messagio/contracts@1';

/** One message type in a snapshot. */
export interface TypeContract {
  /** The class's name when the snapshot was written (for the reader; types are matched by wire name). */
  class: string;
  version: number;
  /** Versions an upcaster starts from. */
  upcastsFrom: number[];
  /** The payload's JSON Schema (message-schema.ts). */
  schema: JsonSchema;
}

/**
 * What `contracts check` compares against: each message type of an app by wire
 * name, with its version, upcasters and payload schema. Written by
 * `contracts snapshot`, committed next to the code.
 */
export interface ContractsSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  types: Record<string, TypeContract>;
}

/** The snapshot of an app's message types, in wire-name order. */
export function snapshotOf(messages: readonly KnownMessage[]): ContractsSnapshot {
  const types: Record<string, TypeContract> = {};
  for (const message of [...messages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    types[message.name] = { class: message.cls.name, version: message.version, upcastsFrom: message.upcastsFrom, schema: messageSchema(message) };
  }
  return { format: SNAPSHOT_FORMAT, types };
}

/** Reads a snapshot from parsed JSON; throws `MessagioSnapshotError` naming what is wrong. `where`: the file, for the message. */
export function readSnapshot(data: unknown, where: string): ContractsSnapshot {
  const fail = (why: string) =>
    new MessagioSnapshotError(`${where} is not a contracts snapshot: ${why}. Write it with \`npx nestjs-messagio contracts snapshot\`.`);
  if (!isRecord(data)) throw fail('not a JSON object');
  if (data.format !== SNAPSHOT_FORMAT) throw fail(`its "format" is ${JSON.stringify(data.format)}, not "${SNAPSHOT_FORMAT}"`);
  if (!isRecord(data.types)) throw fail('"types" is not an object');
  for (const [name, type] of Object.entries(data.types)) {
    if (!isRecord(type)) throw fail(`types["${name}"] is not an object`);
    if (typeof type.version !== 'number' || !Number.isSafeInteger(type.version) || type.version < 1) throw fail(`types["${name}"].version is not a whole number ≥ 1`);
    if (!Array.isArray(type.upcastsFrom) || type.upcastsFrom.some((v) => typeof v !== 'number')) throw fail(`types["${name}"].upcastsFrom is not a list of versions`);
    if (!isRecord(type.schema)) throw fail(`types["${name}"].schema is not an object`);
    if (typeof type.class !== 'string') throw fail(`types["${name}"].class is not a string`);
  }
  return data as unknown as ContractsSnapshot;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
