import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { TestingModule } from '@nestjs/testing';
import { MessagioHealthIndicator } from '../../lib/health/index.js';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { queueOf } from '../support/jobs.js';
import { eventually } from '../support/redis.js';

// The indicator inside a real terminus HealthCheckService, as an app's /health endpoint runs it.
async function healthApp(options: Parameters<typeof createApp>[0] = {}): Promise<TestingModule> {
  return createApp({
    imports: [TerminusModule.forRoot({ logger: false })],
    providers: [MessagioHealthIndicator],
    ...options,
  });
}

function check(app: TestingModule, timeout?: number) {
  const indicator = app.get(MessagioHealthIndicator);
  return app.get(HealthCheckService).check([() => indicator.isHealthy('messagio', { timeout })]);
}

/** What HealthCheckService throws (a 503 ServiceUnavailableException) when an indicator is down. */
async function failure(promise: Promise<unknown>): Promise<{ status: string; error: Record<string, any> }> {
  try {
    await promise;
  } catch (error) {
    expect((error as { getStatus(): number }).getStatus()).toBe(503);
    return (error as { getResponse(): any }).getResponse();
  }
  throw new Error('the health check passed, but it should have failed');
}

describe('MessagioHealthIndicator (@nestjs/terminus)', () => {
  it('is up with details when Redis answers and the workers run', async () => {
    const app = await healthApp();
    try {
      const result = await check(app);
      expect(result).toMatchObject({ status: 'ok', error: {} });
      expect(result.details.messagio).toEqual({
        status: 'up',
        transport: 'bullmq',
        queue: queueOf(app).name,
        redis: 'up',
        pingMs: expect.any(Number),
        workers: 'running',
      });
    } finally {
      await app.close();
    }
  });

  it('reports under the key it is given', async () => {
    const app = await healthApp();
    try {
      const result = await app.get(MessagioHealthIndicator).isHealthy('queue');
      expect(result.queue).toMatchObject({ status: 'up', redis: 'up', workers: 'running' });
    } finally {
      await app.close();
    }
  });

  it('is up on a publish-only process (worker: false), with workers "disabled"', async () => {
    const app = await healthApp({ worker: false });
    try {
      expect((await check(app)).details.messagio).toMatchObject({ status: 'up', redis: 'up', workers: 'disabled' });
    } finally {
      await app.close();
    }
  });

  it('is down while the workers are not running (before the app has bootstrapped)', async () => {
    const app = await healthApp({ init: false });
    try {
      const response = await failure(check(app));
      expect(response.status).toBe('error');
      expect(response.error.messagio).toMatchObject({
        status: 'down',
        redis: 'up',
        workers: 'not running',
        message: 'messagio workers are not running in this process',
      });
    } finally {
      await app.close();
    }
  });

  it('is up on the memory transport, with no Redis to check', async () => {
    const app = await healthApp({ transport: 'memory' });
    try {
      expect((await check(app)).details.messagio).toEqual({
        status: 'up',
        transport: 'memory',
        redis: 'not used',
        workers: 'not reported',
      });
    } finally {
      await app.close();
    }
  });

  // Redis is brought back before each app closes: closing an app while Redis is down does not finish.
  describe('on a private redis-server', () => {
    let redis: RedisServerHandle;
    let app: TestingModule;

    beforeEach(async () => {
      redis = await startRedisServer();
      app = await healthApp({ connection: { host: redis.host, port: redis.port } });
      expect((await check(app)).details.messagio).toMatchObject({ status: 'up', redis: 'up', workers: 'running' });
    });

    afterEach(async () => {
      await app.close();
      await redis.stop();
    });

    it('is down within the timeout, saying Redis is unreachable, while redis-server is stopped; up once it is back', async () => {
      const { port } = redis;
      await redis.stop();
      const started = Date.now();
      const response = await failure(check(app, 1000));
      const elapsed = Date.now() - started;
      expect(response.error.messagio).toMatchObject({ status: 'down', redis: 'down', transport: 'bullmq', workers: 'running' });
      // Either the client already knows (not reachable) or the PING waits out the timeout; both say why.
      expect(response.error.messagio.message).toMatch(/^Redis (is not reachable|did not answer PING within 1000 ms) \(connection (reconnecting|connecting|close|end)\)/);
      expect(elapsed).toBeLessThan(1500);

      redis = await startRedisServer({ port });
      await eventually(async () => (await app.get(MessagioHealthIndicator).isHealthy()).messagio?.status === 'up', 15_000, 'the indicator to be up again');
    });

    it('is down after exactly the timeout when Redis keeps the connection open but never answers', async () => {
      redis.process.kill('SIGSTOP'); // frozen: the socket stays open, the PING hangs
      try {
        const started = Date.now();
        const response = await failure(check(app, 500));
        const elapsed = Date.now() - started;
        expect(response.error.messagio).toMatchObject({
          status: 'down',
          redis: 'down',
          message: 'Redis did not answer PING within 500 ms',
        });
        expect(elapsed).toBeGreaterThanOrEqual(490);
        expect(elapsed).toBeLessThan(1000);
      } finally {
        redis.process.kill('SIGCONT');
      }
      expect((await check(app)).details.messagio).toMatchObject({ status: 'up', redis: 'up' });
    });
  });
});
