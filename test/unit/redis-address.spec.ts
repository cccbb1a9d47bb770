import { Cluster, Redis } from 'ioredis';
import { redisAddressOf } from '../../lib/transports/bullmq/redis-address.js';

// Where Redis is looked for, as MessagioUnavailableError and the logs name it:
// from every form `connection` takes, and never with a user name or password.
describe('redisAddressOf', () => {
  it.each([
    ['ioredis options', { host: 'redis.internal', port: 6380, password: 'pw' }, 'redis.internal:6380'],
    ['options without host or port: BullMQ’s defaults', {}, '127.0.0.1:6379'],
    ['a port alone', { port: 7000 }, '127.0.0.1:7000'],
    ['an IPv6 host', { host: '::1', port: 6379 }, '[::1]:6379'],
    ['a unix socket', { path: '/run/redis.sock' }, 'unix:/run/redis.sock'],
    ['{ url } with credentials', { url: 'redis://admin:s3cret@cache.example:6390/4' }, 'cache.example:6390'],
    ['a rediss:// URL without port', { url: 'rediss://:s3cret@secure.example' }, 'secure.example:6379'],
    ['a URL string', 'redis://user:s3cret@10.0.0.5:6379', '10.0.0.5:6379'],
    ['a sentinel group', { sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'main', password: 's3cret' }, 'sentinel group "main" via s1:26379, s2:26379'],
  ])('%s', (_label, connection, expected) => {
    const address = redisAddressOf(connection);
    expect(address).toBe(expected);
    expect(address).not.toMatch(/s3cret|pw|admin|user/);
  });

  it('an ioredis client: where its options point (it is not connected here)', () => {
    const client = new Redis({ host: 'redis.internal', port: 6381, password: 's3cret', lazyConnect: true });
    expect(redisAddressOf(client)).toBe('redis.internal:6381');
  });

  it('an ioredis Cluster: its startup nodes', () => {
    const cluster = new Cluster([{ host: 'n1', port: 7000 }, 'n2:7001'], { lazyConnect: true, redisOptions: { password: 's3cret' } });
    expect(redisAddressOf(cluster)).toBe('cluster n1:7000, n2:7001');
  });
});
