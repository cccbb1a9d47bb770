import { MessagioPublisher, MessagioUnavailableError } from '../../lib/index.js';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { createApp } from './fixtures/app.js';
import { Listeners } from './fixtures/listeners.js';
import { PerformAction } from './fixtures/messages.js';

// The BullMQ transport times every enqueue out with one shared timer (not a
// timer per fire): each fire must still get its own deadline.
describe('publishTimeout (BullMQ, Redis frozen with SIGSTOP)', () => {
  let redis: RedisServerHandle;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('rejects every fire in progress at its own deadline, then stores again once Redis answers', async () => {
    const app = await createApp({
      providers: [Listeners],
      connection: { host: redis.host, port: redis.port },
      publishTimeout: 400,
      worker: false,
    });
    const publisher = app.get(MessagioPublisher);
    await publisher.fire(new PerformAction('warm-up', 1));

    const settled = (started: number, fire: Promise<unknown>) =>
      fire.then(
        () => ({ error: undefined as unknown, after: Date.now() - started }),
        (error: unknown) => ({ error, after: Date.now() - started }),
      );
    redis.process.kill('SIGSTOP'); // the socket stays open; commands hang
    try {
      const t0 = Date.now();
      const first = [1, 2, 3].map((i) => settled(t0, publisher.fire(new PerformAction(`first-${i}`, i))));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const t1 = Date.now();
      const later = [4, 5].map((i) => settled(t1, publisher.fire(new PerformAction(`later-${i}`, i))));
      const early = await Promise.all(first);
      const late = await Promise.all(later);

      for (const { error, after } of [...early, ...late]) {
        expect(error).toBeInstanceOf(MessagioUnavailableError);
        // It names where Redis was looked for, and the connection's state.
        expect((error as Error).message).toBe(`Redis at 127.0.0.1:${redis.port} did not store the message within 400 ms (publishTimeout): connected, no answer.`);
        expect((error as MessagioUnavailableError).host).toBe(`127.0.0.1:${redis.port}`);
        // Measured from each fire's own start: not cut short by an earlier fire's deadline.
        expect(after).toBeGreaterThanOrEqual(390);
        expect(after).toBeLessThan(1000);
      }
    } finally {
      redis.process.kill('SIGCONT');
    }
    const receipt = await publisher.fire(new PerformAction('after', 6));
    expect(receipt.listeners.length).toBeGreaterThan(0);
    await app.close();
  });
});
