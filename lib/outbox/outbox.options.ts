import type { Pool } from 'pg';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { OutboxSqlNames } from './migrations/outbox-migrations.js';
import type { OutboxClient } from './outbox-executor.js';
import type { OutboxRelaySettings } from './outbox-relay.js';
import { outboxSqlNames } from './outbox-sql-names.js';
import type { OutboxStore } from './outbox-store.js';
import type { MessagioInboxOptions } from './inbox.options.js';

/**
 * The relay's settings (`MessagioOutboxModule.forRoot({ relay })`).
 * @publicApi
 */
export interface OutboxRelayOptions {
  /** Run the relay in this process. @default true in a process that consumes (`worker` not false) */
  enabled?: boolean;
  /** Rows claimed, published (one `enqueue`, one `addBulk`) and deleted at a time. @default 100 */
  batchSize?: number;
  /** Milliseconds a claim holds its rows: a relay killed mid-batch leaves them to another after this. @default 30000 */
  leaseMs?: number;
  /** Milliseconds between polls when no commit wakes the relay (LISTEN/NOTIFY). @default 1000 */
  pollMs?: number;
  /** Times the transport may refuse a row (not counting outages) before it is dead-lettered. @default 5 */
  maxAttempts?: number;
  /** First wait after a failed publish, doubled each time. @default 500 */
  backoffMs?: number;
  /** Longest wait between publishes while the transport is unavailable. @default 30000 */
  maxBackoffMs?: number;
  /** Milliseconds relayed rows are kept (marked `relayed_at`) before deletion; 0 deletes at once. @default 0 */
  retentionMs?: number;
}

/**
 * Options of `MessagioOutboxModule.forRoot()`.
 * @publicApi
 */
export interface MessagioOutboxOptions {
  /**
   * The relay's and the migrations' own connections (a `pg` `Pool`): rows
   * are written through the app's transaction, read and deleted through this.
   * Required unless `store` is given.
   */
  pool?: Pick<Pool, 'query' | 'connect'>;
  /**
   * How a fire's `transaction` (and the ambient one) is read: `fromPg`,
   * `fromTypeOrm`, `fromDrizzle`, `fromKysely`, `fromKnex`, `fromPrisma`,
   * `fromMikroOrm`. An executor passed as `transaction` is used as is.
   * @default fromPg
   */
  client?: OutboxClient<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Schema of the outbox table. @default 'public' */
  schema?: string;
  /** Outbox table (its migrations table is `<table>_migrations`). @default 'messagio_outbox' */
  table?: string;
  /** Apply the shipped migrations at startup. @default true unless NODE_ENV is 'production' */
  migrate?: boolean;
  relay?: boolean | OutboxRelayOptions;
  /**
   * Join the ambient `@nestjs-cls/transactional` transaction: inside a
   * `@Transactional()` method, `fire(msg)` writes in it. A string names the
   * transaction host's connection (`connectionName`).
   * @default true
   */
  ambient?: boolean | string;
  /** Another store instead of PostgreSQL through `pool` (the testing module's `MemoryOutboxStore`, a MySQL store). */
  store?: OutboxStore;
  /** The inbox of `inbox: true` listeners (its table is `<table>_inbox`): retention. */
  inbox?: MessagioInboxOptions;
}

/** The options resolved once, at bootstrap. */
export interface ResolvedOutboxOptions {
  names: OutboxSqlNames;
  channel: string;
  client: OutboxClient<never> | undefined;
  migrate: boolean;
  /** `undefined`: as the worker (in consuming processes). */
  relayEnabled: boolean | undefined;
  relay: OutboxRelaySettings;
  ambient: false | { connectionName: string | undefined };
}

export function resolveOutboxOptions(options: MessagioOutboxOptions): ResolvedOutboxOptions {
  if (options === null || typeof options !== 'object') throw new MessagioConfigurationError('MessagioOutboxModule.forRoot() needs an options object.');
  if (options.pool === undefined && options.store === undefined) {
    throw new MessagioConfigurationError('MessagioOutboxModule.forRoot() needs a pool (a pg Pool for the relay and the migrations) or a store.');
  }
  const names = outboxSqlNames(options.schema, options.table);
  const relay = typeof options.relay === 'object' && options.relay !== null ? options.relay : {};
  const count = (name: keyof OutboxRelayOptions, fallback: number, min: number): number => {
    const value = relay[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new MessagioConfigurationError(`Outbox option relay.${name} must be an integer ≥ ${min}, got ${String(value)}.`);
    }
    return value;
  };
  return {
    names,
    channel: names.tableName,
    client: options.client,
    migrate: options.migrate ?? process.env['NODE_ENV'] !== 'production',
    relayEnabled: typeof options.relay === 'boolean' ? options.relay : relay.enabled,
    relay: {
      batchSize: count('batchSize', 100, 1),
      leaseMs: count('leaseMs', 30_000, 100),
      pollMs: count('pollMs', 1000, 1),
      maxAttempts: count('maxAttempts', 5, 1),
      backoffMs: count('backoffMs', 500, 1),
      maxBackoffMs: count('maxBackoffMs', 30_000, 1),
      retentionMs: count('retentionMs', 0, 0),
    },
    ambient: options.ambient === false ? false : { connectionName: typeof options.ambient === 'string' ? options.ambient : undefined },
  };
}
