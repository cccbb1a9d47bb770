import type { INestApplicationContext } from '@nestjs/common';
import { redisConnection, uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch, report, type WorkerProcess } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

describe('fault injection: crash recovery timing', () => {
  it('re-runs a killed worker’s delivery within 10 s, three crashes in a row, and never steals a long healthy one', async () => {
    const lib = await builtPackage();
    const { port } = redisConnection();
    const queue = uniqueQueue('recovery');
    const logs = scratch();
    const env = { REDIS_PORT: String(port), QUEUE: queue, LOG_FILE: logs.file('work.log'), CONCURRENCY: '1' };
    const workers: WorkerProcess[] = [];
    const others: WorkerProcess[] = [];
    const publisher: INestApplicationContext = await createWorkApp({ connection: { host: '127.0.0.1', port }, queueName: queue, worker: false, removeOnComplete: false });
    const startsOf = (id: string) => parseLog(logs.read('work.log')).started.get(id) ?? [];
    try {
      // The victim: a 60 s delivery, taken by the only worker running.
      workers.push(await startWorker(env));
      const victim = await publisher.get(lib.MessagioPublisher).fire(new Work(1, 60_000));
      const victimId = `${victim.messageId}|work`;
      await eventually(() => startsOf(victimId).length === 1, 10_000, 'the victim to start');
      // A long but healthy delivery (12 s, three lock durations) on its own worker.
      const healthyWorker = await startWorker(env);
      others.push(healthyWorker);
      const healthy = await publisher.get(lib.MessagioPublisher).fire(new Work(2, 12_000));
      const healthyId = `${healthy.messageId}|work`;
      await eventually(() => startsOf(healthyId).length === 1, 10_000, 'the healthy delivery to start');

      const recoveries: number[] = [];
      for (let crash = 1; crash <= 3; crash++) {
        // The next worker is already up when the current one dies; the last one finishes quickly.
        workers.push(await startWorker(crash === 3 ? { ...env, CAP_MS: '200' } : env));
        const current = workers[workers.length - 2]!;
        const killedAt = Date.now();
        current.child.kill('SIGKILL');
        await current.exited;
        await eventually(() => startsOf(victimId).length === crash + 1, 15_000, `re-delivery after crash ${crash}`);
        recoveries.push(startsOf(victimId)[crash]!.at - killedAt);
      }
      const states = async () => (await publisher.get(lib.MessagioAdmin).status(victim.messageId)).concat(await publisher.get(lib.MessagioAdmin).status(healthy.messageId));
      await eventually(async () => (await states()).every((s) => s.status === 'completed'), 30_000, 'both deliveries to complete');
      const { done } = parseLog(logs.read('work.log'));
      report('crash recovery', {
        crashes: 3,
        slowestRecoveryMs: Math.max(...recoveries),
        victimRuns: startsOf(victimId).length,
        healthyRuns: startsOf(healthyId).length,
        healthyDone: done.get(healthyId)?.length ?? 0,
      });
      for (const ms of recoveries) expect(ms).toBeLessThan(10_000);
      expect(done.get(victimId)).toHaveLength(1);
      expect(startsOf(healthyId)).toHaveLength(1);
      expect(done.get(healthyId)).toHaveLength(1);
      expect((await states()).map((s) => s.status)).toEqual(['completed', 'completed']);
    } finally {
      for (const w of [...workers, ...others]) w.child.kill('SIGKILL');
      await Promise.all([...workers, ...others].map((w) => w.exited));
      await publisher.close();
      logs.remove();
    }
  }, 120_000);
});
