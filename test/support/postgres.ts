import type { PostgresPoolConfig } from 'bullmq';

/**
 * The PostgreSQL of Jest's global setup, as `backend.postgres` takes it: BullMQ
 * migrates its schema at boot (idempotent, and safe when test files race).
 */
export function postgresConnection(): PostgresPoolConfig {
  const url = process.env.MESSAGIO_TEST_POSTGRES_URL;
  if (!url) throw new Error('MESSAGIO_TEST_POSTGRES_URL is not set: run the tests with `npm test` (Jest global setup starts PostgreSQL).');
  return { connectionString: url, migrate: true, max: 4 };
}
