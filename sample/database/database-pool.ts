/**
 * The sample's database, injected where SQL runs: a node-postgres `Pool` on
 * DATABASE_URL, or the embedded PGlite behind the same interface
 * (`PglitePool`). The outbox's relay and migrations use it too.
 */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
