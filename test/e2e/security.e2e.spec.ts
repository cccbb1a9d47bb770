import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessagioPublisher, MessagioUnavailableError } from '../../lib/index.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Listeners } from './fixtures/listeners.js';
import { Recorder } from './fixtures/recorder.js';


describe('Redis authentication and TLS are passed through', () => {
  // ioredis keeps a 2 s socket-destroy timer after disconnecting a client that never
  // connected (the wrong-password app): let it run out so Jest exits promptly.
  afterAll(() => new Promise((resolve) => setTimeout(resolve, 2100)));

  it('works against a redis-server with requirepass, and refuses to store with a wrong password', async () => {
    const redis = await startRedisServer({ args: ['--requirepass', 's3cret'] });
    try {
      const app = await createApp({ providers: [Listeners], connection: { host: '127.0.0.1', port: redis.port, password: 's3cret' } });
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('auth', 1));
      expect((await receipt.wait()).ok).toBe(true);
      expect(app.get(Recorder).calls).toHaveLength(1);
      await app.close();

      const wrong = await createApp({
        providers: [Listeners],
        connection: { host: '127.0.0.1', port: redis.port, password: 'wrong' },
        publishTimeout: 1000,
      });
      const started = Date.now();
      const error = await wrong.get(MessagioPublisher).fire(new PerformAction('nope', 1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioUnavailableError);
      expect(Date.now() - started).toBeLessThan(2000);
      // Closing an app whose Redis never accepted it is bounded too (nothing was in flight).
      const closing = Date.now();
      await wrong.close();
      expect(Date.now() - closing).toBeLessThan(5000);
    } finally {
      await redis.stop();
    }
  });

  it('connects over TLS with the given CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'messagio-tls-'));
    let redis: RedisServerHandle | undefined;
    try {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const tlsPort = await freePort();
      redis = await startRedisServer({
        args: ['--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no'],
      });
      const app = await createApp({ providers: [Listeners], connection: { host: '127.0.0.1', port: tlsPort, tls: { ca: readFileSync(cert) } } });
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('tls', 1));
      expect((await receipt.wait()).ok).toBe(true);
      expect(app.get(Recorder).calls[0]!.context.messageId).toBe(receipt.messageId);
      await app.close();
    } finally {
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
