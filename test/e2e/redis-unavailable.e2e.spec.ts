import type { TestingModule } from '@nestjs/testing';
import { MessagioPublisher, MessagioUnavailableError } from '../../lib/index.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { createApp } from './fixtures/app.js';
import { Listeners } from './fixtures/listeners.js';
import { PerformAction } from './fixtures/messages.js';
import { eventually } from '../support/redis.js';

/** What a fire ended with, and how long it took. */
async function timedFire(app: TestingModule, name: string): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await app
    .get(MessagioPublisher)
    .fire(new PerformAction(name, 1))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  return { error, ms: performance.now() - started };
}

/** The message of a rejected fire or init, checked to be a MessagioUnavailableError. */
function unavailable(error: unknown): MessagioUnavailableError {
  expect(error).toBeInstanceOf(MessagioUnavailableError);
  return error as MessagioUnavailableError;
}

// Redis failures are loud and fast: a fire made while the connection is known
// to be down rejects at once, naming where Redis was looked for and why it
// could not be used, instead of waiting publishTimeout (5 s by default).
describe('Redis unavailable (BullMQ)', () => {
  const apps: TestingModule[] = [];
  const servers: RedisServerHandle[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });
  // ioredis keeps a 2 s socket-destroy timer after disconnecting a client that
  // never connected: let it run out so Jest exits promptly.
  afterAll(() => new Promise((resolve) => setTimeout(resolve, 2100)));

  async function app(options: Parameters<typeof createApp>[0]): Promise<TestingModule> {
    const created = await createApp({ providers: [Listeners], worker: false, ...options });
    apps.push(created);
    return created;
  }

  /** Builds an app expected to fail its init(); one that does not is closed after the test. */
  function failedInit(options: Parameters<typeof createApp>[0]): Promise<unknown> {
    return createApp({ providers: [Listeners], ...options }).then(
      (created) => (apps.push(created), created),
      (error: unknown) => error,
    );
  }

  async function server(args: string[] = []): Promise<RedisServerHandle> {
    const started = await startRedisServer({ args });
    servers.push(started);
    return started;
  }

  describe('never connected', () => {
    it('nothing listening on the port: every fire rejects within 200 ms, with ECONNREFUSED and the host', async () => {
      const port = await freePort();
      const started = await app({ connection: { host: '127.0.0.1', port } });
      // The first fire may come before the client's first attempt failed: it waits for it, no longer.
      for (const name of ['first', 'second', 'third']) {
        const { error, ms } = await timedFire(started, name);
        const e = unavailable(error);
        expect(ms).toBeLessThan(200);
        expect(e.message).toContain(`Redis at 127.0.0.1:${port}`);
        expect(e.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
        expect(e.host).toBe(`127.0.0.1:${port}`);
        expect(e.lastError?.message).toContain('ECONNREFUSED');
        expect(e.cause).toBe(e.lastError);
      }
    });

    it('a redis://user:password@host URL: the error names the host, never the password', async () => {
      const port = await freePort();
      const started = await app({ connection: `redis://admin:pa55word@127.0.0.1:${port}/2` });
      const { error, ms } = await timedFire(started, 'url');
      const e = unavailable(error);
      expect(ms).toBeLessThan(200);
      expect(e.host).toBe(`127.0.0.1:${port}`);
      expect(e.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
      expect(e.message).not.toContain('pa55word');
    });

    it('requirepass and no password: rejects at once with NOAUTH', async () => {
      const redis = await server(['--requirepass', 's3cret']);
      const started = await app({ connection: { host: '127.0.0.1', port: redis.port } });
      // The first fire may have waited for the handshake to fail; the next ones know.
      expect(unavailable((await timedFire(started, 'first')).error).message).toContain('NOAUTH');
      const { error, ms } = await timedFire(started, 'no-password');
      const e = unavailable(error);
      expect(ms).toBeLessThan(200);
      expect(e.message).toContain(`Redis at 127.0.0.1:${redis.port}`);
      expect(e.message).toContain('NOAUTH');
      expect(e.lastError?.message).toMatch(/^NOAUTH/);
    });

    it('requirepass and a wrong password: rejects at once with WRONGPASS, the password never printed', async () => {
      const redis = await server(['--requirepass', 's3cret']);
      const started = await app({ connection: { host: '127.0.0.1', port: redis.port, password: 'not-the-s3cret' } });
      expect(unavailable((await timedFire(started, 'first')).error).message).toContain('WRONGPASS');
      const { error, ms } = await timedFire(started, 'wrong-password');
      const e = unavailable(error);
      expect(ms).toBeLessThan(200);
      expect(e.message).toContain('WRONGPASS');
      expect(e.message).not.toContain('not-the-s3cret');
      expect(e.host).toBe(`127.0.0.1:${redis.port}`);
    });

    it('still connecting, no error yet (Redis frozen): waits publishTimeout, and the error says where and in what state', async () => {
      const redis = await server();
      redis.process.kill('SIGSTOP'); // the kernel accepts the connection; Redis never answers the handshake
      try {
        const started = await app({ connection: { host: '127.0.0.1', port: redis.port }, publishTimeout: 300 });
        const { error, ms } = await timedFire(started, 'frozen');
        const e = unavailable(error);
        expect(ms).toBeGreaterThanOrEqual(290);
        expect(e.message).toBe(
          `Redis at 127.0.0.1:${redis.port} did not store the message within 300 ms (publishTimeout): not connected yet, no error so far.`,
        );
        expect(e.host).toBe(`127.0.0.1:${redis.port}`);
      } finally {
        redis.process.kill('SIGCONT');
      }
    });
  });

  describe('failFast: app.init() fails instead of starting an app that cannot store', () => {
    it('nothing listening: init() rejects at the first error, with ECONNREFUSED and the host', async () => {
      const port = await freePort();
      const started = performance.now();
      const error = await failedInit({ connection: { host: '127.0.0.1', port }, failFast: true });
      const e = unavailable(error);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(e.message).toContain(`Redis at 127.0.0.1:${port}`);
      expect(e.message).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
      expect(e.message).toContain('failFast');
    });

    it('a wrong password: init() rejects with WRONGPASS', async () => {
      const redis = await server(['--requirepass', 's3cret']);
      const error = await failedInit({ connection: { host: '127.0.0.1', port: redis.port, password: 'nope' }, failFast: true });
      expect(unavailable(error).message).toContain('WRONGPASS');
    });

    it('Redis frozen: init() rejects after connectTimeout, saying it never connected', async () => {
      const redis = await server();
      redis.process.kill('SIGSTOP');
      try {
        const started = performance.now();
        const error = await failedInit({ connection: { host: '127.0.0.1', port: redis.port }, failFast: true, connectTimeout: 400 });
        const e = unavailable(error);
        expect(performance.now() - started).toBeGreaterThanOrEqual(390);
        expect(e.message).toBe(
          `Redis at 127.0.0.1:${redis.port} did not connect within 400 ms (connectTimeout, failFast: true): not connected yet, no error so far.`,
        );
      } finally {
        redis.process.kill('SIGCONT');
      }
    });

    it('a reachable Redis: init() resolves and the app stores and consumes', async () => {
      const redis = await server();
      const started = await app({ connection: { host: '127.0.0.1', port: redis.port }, failFast: true, worker: true });
      const receipt = await started.get(MessagioPublisher).fire(new PerformAction('fail-fast-ok', 1));
      expect((await receipt.wait({ timeout: 10_000 })).ok).toBe(true);
    });
  });

  it('a Redis that goes away after connecting: fires reject at once while it is away, then store again', async () => {
    const port = await freePort();
    let redis = await startRedisServer({ port });
    try {
      const started = await app({ connection: { host: '127.0.0.1', port } });
      expect((await timedFire(started, 'before')).error).toBeUndefined();
      await redis.stop();
      // Until the client saw the connection close, a fire may still be sent: wait for a refusal.
      let refused: { error: unknown; ms: number } | undefined;
      await eventually(async () => (refused = await timedFire(started, 'away')).error !== undefined, 5000, 'a refused fire');
      for (const name of ['away-1', 'away-2']) {
        const { error, ms } = await timedFire(started, name);
        const e = unavailable(error);
        expect(ms).toBeLessThan(200);
        expect(e.message).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} is not connected`));
        expect(e.host).toBe(`127.0.0.1:${port}`);
      }
      redis = await startRedisServer({ port });
      await eventually(async () => (await timedFire(started, 'back')).error === undefined, 10_000, 'a stored fire after the restart');
      expect(refused).toBeDefined();
    } finally {
      await redis.stop();
    }
  });
});
