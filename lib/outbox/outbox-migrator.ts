import type { Pool } from 'pg';
import { OUTBOX_MIGRATIONS, type OutboxSqlNames } from './migrations/outbox-migrations.js';

/** What `migrate()` and `status()` report. @publicApi */
export interface OutboxMigrationStatus {
  /** Versions applied, in order. */
  applied: number[];
  /** Versions this release ships that are not applied yet. */
  pending: number[];
}

/**
 * Applies the shipped migrations not applied yet, in one transaction under
 * an advisory lock (several processes starting at once apply each step
 * once), recording each version. Used at startup, by the CLI, and printable
 * as SQL for teams that run their own migrations.
 */
export class OutboxMigrator {
  constructor(
    private readonly pool: Pick<Pool, 'connect'>,
    private readonly names: OutboxSqlNames,
  ) {}

  async migrate(): Promise<OutboxMigrationStatus> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One lock per outbox table: hashtext of its qualified name.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`messagio-migrate:${this.names.table}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.names.schema}"`);
      await client.query(this.migrationsTableSql());
      const done = new Set((await client.query(`SELECT version FROM ${this.names.migrations}`)).rows.map((r: { version: number }) => r.version));
      for (const migration of OUTBOX_MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query(migration.sql(this.names));
        await client.query(`INSERT INTO ${this.names.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return this.status();
  }

  async status(): Promise<OutboxMigrationStatus> {
    const client = await this.pool.connect();
    try {
      const exists = await client.query('SELECT to_regclass($1) AS t', [this.names.migrations]);
      const applied = exists.rows[0]?.t
        ? (await client.query(`SELECT version FROM ${this.names.migrations} ORDER BY version`)).rows.map((r: { version: number }) => r.version)
        : [];
      return { applied, pending: OUTBOX_MIGRATIONS.map((m) => m.version).filter((v) => !applied.includes(v)) };
    } finally {
      client.release();
    }
  }

  /** Every shipped step as one SQL script, with its bookkeeping (idempotent: safe to run again). */
  sql(): string {
    const steps = OUTBOX_MIGRATIONS.map(
      (m) =>
        `-- ${m.version}: ${m.name}\n${m.sql(this.names).trim()}\n` +
        `INSERT INTO ${this.names.migrations} (version, name) VALUES (${m.version}, '${m.name.replace(/'/g, "''")}') ON CONFLICT DO NOTHING;`,
    );
    return [`CREATE SCHEMA IF NOT EXISTS "${this.names.schema}";`, `${this.migrationsTableSql()};`, ...steps].join('\n\n') + '\n';
  }

  private migrationsTableSql(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.names.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
  }
}
