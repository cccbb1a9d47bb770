import type { INestApplicationContext } from '@nestjs/common';
import { redisConnection, uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch, report } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

describe('fault injection: graceful shutdown under load', () => {
  it('SIGTERM with 100 deliveries in flight: they finish, none lost, none twice, exit code 0', async () => {
    const lib = await builtPackage();
    const { port } = redisConnection();
    const queueName = uniqueQueue('shutdown');
    const logs = scratch();
    const env = { REDIS_PORT: String(port), QUEUE: queueName, LOG_FILE: logs.file('work.log'), CONCURRENCY: '100', SHUTDOWN_TIMEOUT: '20000' };
    const worker = await startWorker(env);
    const publisher: INestApplicationContext = await createWorkApp({ connection: { host: '127.0.0.1', port }, queueName, worker: false, removeOnComplete: false });
    try {
      const receipts = await publisher.get(lib.MessagioPublisher).fireMany(Array.from({ length: 100 }, (_, n) => new Work(n, 1500)));
      const ids = receipts.map((r) => `${r.messageId}|work`);
      await eventually(() => parseLog(logs.read('work.log')).started.size === 100, 15_000, '100 deliveries in flight');
      expect(parseLog(logs.read('work.log')).done.size).toBe(0);
      const signalled = Date.now();
      worker.child.kill('SIGTERM');
      const code = await worker.exited;
      const tookMs = Date.now() - signalled;
      const { started, done } = parseLog(logs.read('work.log'));
      const counts = await publisher.get(lib.MessagioAdmin).counts();
      report('graceful shutdown', {
        inFlight: 100,
        finished: ids.filter((id) => done.get(id)?.length === 1).length,
        twice: [...started.values()].filter((runs) => runs.length > 1).length,
        lost: ids.filter((id) => !done.has(id)).length,
        exitCode: code ?? -1,
        tookMs,
      });
      expect(code).toBe(0);
      expect(ids.every((id) => done.get(id)?.length === 1 && started.get(id)?.length === 1)).toBe(true);
      expect(counts).toEqual({ queued: 0, delayed: 0, running: 0, completed: 100, failed: 0 });
    } finally {
      worker.child.kill('SIGKILL');
      await publisher.close();
      logs.remove();
    }
  }, 60_000);
});
