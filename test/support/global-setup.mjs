// One private redis-server and one private PostgreSQL for the whole run, on
// free ports. Test files read their addresses from MESSAGIO_TEST_REDIS_PORT
// and MESSAGIO_TEST_POSTGRES_URL; global-teardown stops them.
// Plain ESM importing the built helpers: Jest loads global setup outside its
// TypeScript transform (`npm test` builds first, in `pretest`).
import { startPostgresServer, startRedisServer } from '../../dist/testing/index.js';

export default async function globalSetup() {
  const [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
  process.env.MESSAGIO_TEST_REDIS_PORT = String(redis.port);
  process.env.MESSAGIO_TEST_POSTGRES_URL = postgres.url;
  globalThis.__MESSAGIO_REDIS__ = redis;
  globalThis.__MESSAGIO_POSTGRES__ = postgres;
}
