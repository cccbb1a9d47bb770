// One private redis-server for the whole run, on a free port. Test files read
// its address from MESSAGIO_TEST_REDIS_PORT; global-teardown stops it.
// Plain ESM importing the built helper: Jest loads global setup outside its
// TypeScript transform (`npm test` builds first, in `pretest`).
import { startRedisServer } from '../../dist/testing/index.js';

export default async function globalSetup() {
  const redis = await startRedisServer();
  process.env.MESSAGIO_TEST_REDIS_PORT = String(redis.port);
  globalThis.__MESSAGIO_REDIS__ = redis;
}
