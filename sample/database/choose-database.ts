import { randomUUID } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PglitePool } from './pglite-pool.js';

/** Where the sample's orders (and its outbox) live, and how to clean up afterwards. */
export interface SampleDatabase {
  /** A node-postgres pool, or the embedded PGlite behind the same calls. */
  pool: pg.Pool;
  /** This run's own schema: its orders, inventory and outbox tables. */
  schema: string;
  /** One line for the console. */
  description: string;
  /** Called after the app is closed. */
  cleanup(): Promise<void>;
}

/**
 * 1. `DATABASE_URL` set: that PostgreSQL, in a schema of this run's own
 *    (dropped at the end).
 * 2. Otherwise an embedded PostgreSQL in this process (PGlite, WebAssembly, in
 *    memory): nothing to install.
 */
export async function chooseDatabase(env: NodeJS.ProcessEnv = process.env): Promise<SampleDatabase> {
  const schema = `messagio_sample_${randomUUID().slice(0, 8)}`;
  const url = env.DATABASE_URL?.trim();
  if (url) {
    // Every connection of the pool works in the run's schema; the outbox is told it by name.
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, connectionTimeoutMillis: 5000 });
    try {
      await pool.query(`CREATE SCHEMA "${schema}"`);
    } catch (error) {
      await pool.end();
      throw new Error(`cannot use PostgreSQL at DATABASE_URL=${redact(url)}: ${(error as Error).message}`, { cause: error });
    }
    return {
      pool,
      schema,
      description: `Database: PostgreSQL at DATABASE_URL ${redact(url)}, schema "${schema}" (dropped at the end).`,
      cleanup: async () => {
        try {
          await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
        } finally {
          await pool.end();
        }
      },
    };
  }
  // Loaded only here: a run on DATABASE_URL never compiles PGlite's WebAssembly.
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  return { ...(await embeddedDatabase(db, schema)), cleanup: () => db.close() };
}

/** A fresh schema on an open PGlite, as the pool the app gets (tests share one PGlite across apps this way). */
export async function embeddedDatabase(db: PGlite, schema = `messagio_sample_${randomUUID().slice(0, 8)}`): Promise<SampleDatabase> {
  // One session: the search path set here is every "connection's".
  await db.exec(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
  return {
    // PglitePool implements the calls of a pg.Pool the sample and the outbox make (see pglite-pool.ts).
    pool: new PglitePool(db) as unknown as pg.Pool,
    schema,
    description: `Database: embedded PostgreSQL (PGlite, in this process, in memory; set DATABASE_URL to use a server).`,
    cleanup: async () => {},
  };
}

/** Hides a password in a postgres:// URL. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
