import { inboxTable } from '../inbox-table.js';

/** Names the outbox's SQL uses, checked and quoted once. */
export interface OutboxSqlNames {
  /** `"schema"."table"`, quoted. */
  table: string;
  /** `"schema"."messagio_outbox_migrations"`, quoted. */
  migrations: string;
  schema: string;
  /** Unquoted table name, for index names. */
  tableName: string;
}

/** One versioned step of the outbox's schema. Never edit a shipped step: add the next one. */
export interface OutboxMigration {
  version: number;
  name: string;
  sql(names: OutboxSqlNames): string;
}

/**
 * The outbox's schema, in order. One row per fired message: its deliveries in
 * registry order (`jsonb`), ordered by a `bigserial` id; a lease
 * (`lease_owner`, `lease_until`) for `FOR UPDATE SKIP LOCKED` claims; dead
 * letters in place (`dead_at`, `dead_reason`), so a dead row keeps its data
 * and its place for a retry; `relayed_at` for retention.
 */
export const OUTBOX_MIGRATIONS: readonly OutboxMigration[] = [
  {
    version: 1,
    name: 'outbox table',
    sql: ({ schema, table, tableName }) => `
CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE TABLE IF NOT EXISTS ${table} (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL,
  type text NOT NULL,
  deliveries jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  lease_owner text,
  lease_until timestamptz,
  dead_at timestamptz,
  dead_reason text,
  relayed_at timestamptz
);
CREATE INDEX IF NOT EXISTS "${tableName}_waiting" ON ${table} (id) WHERE dead_at IS NULL AND relayed_at IS NULL;
CREATE INDEX IF NOT EXISTS "${tableName}_message" ON ${table} (message_id);
CREATE INDEX IF NOT EXISTS "${tableName}_dead" ON ${table} (id) WHERE dead_at IS NOT NULL;
`,
  },
  {
    // The inbox of `inbox: true` listeners: one row per delivery that committed
    // its effects; `processed_at` for the retention sweep.
    version: 2,
    name: 'inbox table',
    sql: (names) => `
CREATE TABLE IF NOT EXISTS ${inboxTable(names)} (
  delivery_id text PRIMARY KEY,
  listener text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS "${names.tableName}_inbox_processed" ON ${inboxTable(names)} (processed_at);
`,
  },
];

/** Latest schema version this release ships. */
export const OUTBOX_SCHEMA_VERSION = OUTBOX_MIGRATIONS[OUTBOX_MIGRATIONS.length - 1]!.version;
