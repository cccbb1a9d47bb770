import type { INestApplicationContext } from '@nestjs/common';
import { redisConnection, uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch, report, type WorkerProcess } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

describe('fault injection: crash recovery timing', () => {
  it('re-runs a killed worker’s delivery within 10 s, three crashes in a row, and never steals a long healthy one', async () => {
    const lib = await builtPackage();
    const { port } = redisConnection();
    const logs = scratch();
    // Two queues, so the healthy long delivery and the victim never share a worker.
    const victimQueue = uniqueQueue('victim');
    const healthyQueue = uniqueQueue('healthy');
    const env = { REDIS_PORT: String(port), LOG_FILE: logs.file('work.log'), CONCURRENCY: '1' };
    const workers = new Map<number, WorkerProcess>();
    const start = async (extra: Record<string, string>) => {
      const w = await startWorker({ ...env, ...extra });
      workers.set(w.child.pid!, w);
      return w;
    };
    const app = (queueName: string): Promise<INestApplicationContext> =>
      createWorkApp({ connection: { host: '127.0.0.1', port }, queueName, worker: false, removeOnComplete: false });
    const victims = await app(victimQueue);
    const healthies = await app(healthyQueue);
    const startsOf = (id: string) => parseLog(logs.read('work.log')).started.get(id) ?? [];
    try {
      // The victim: a 60 s delivery on a worker of its own.
      await start({ QUEUE: victimQueue });
      const victim = await victims.get(lib.MessagioPublisher).fire(new Work(1, 60_000));
      const victimId = `${victim.messageId}|work`;
      await eventually(() => startsOf(victimId).length === 1, 10_000, 'the victim to start');
      // A long but healthy delivery: 12 s, three lock durations, on two workers that could take it.
      await start({ QUEUE: healthyQueue });
      await start({ QUEUE: healthyQueue });
      const healthy = await healthies.get(lib.MessagioPublisher).fire(new Work(2, 12_000));
      const healthyId = `${healthy.messageId}|work`;
      await eventually(() => startsOf(healthyId).length === 1, 10_000, 'the healthy delivery to start');

      const recoveries: number[] = [];
      for (let crash = 1; crash <= 3; crash++) {
        // A spare is up before the victim's worker dies; the last spare finishes the victim quickly.
        await start(crash === 3 ? { QUEUE: victimQueue, CAP_MS: '200' } : { QUEUE: victimQueue });
        const runner = workers.get(startsOf(victimId).at(-1)!.pid)!;
        const killedAt = Date.now();
        runner.child.kill('SIGKILL');
        await runner.exited;
        await eventually(() => startsOf(victimId).length === crash + 1, 15_000, `re-delivery after crash ${crash}`);
        recoveries.push(startsOf(victimId)[crash]!.at - killedAt);
      }
      const admin = (ctx: INestApplicationContext, id: string) => ctx.get(lib.MessagioAdmin).status(id);
      await eventually(
        async () => (await admin(victims, victim.messageId))[0]?.status === 'completed' && (await admin(healthies, healthy.messageId))[0]?.status === 'completed',
        30_000,
        'both deliveries to complete',
      );
      const { done } = parseLog(logs.read('work.log'));
      report('crash recovery', {
        crashes: 3,
        slowestRecoveryMs: Math.max(...recoveries),
        victimRuns: startsOf(victimId).length,
        victimDone: done.get(victimId)?.length ?? 0,
        healthyRuns: startsOf(healthyId).length,
        healthyDone: done.get(healthyId)?.length ?? 0,
      });
      for (const ms of recoveries) expect(ms).toBeLessThan(10_000);
      expect(done.get(victimId)).toHaveLength(1);
      expect(startsOf(healthyId)).toHaveLength(1);
      expect(done.get(healthyId)).toHaveLength(1);
    } finally {
      for (const w of workers.values()) w.child.kill('SIGKILL');
      await Promise.all([...workers.values()].map((w) => w.exited));
      await victims.close();
      await healthies.close();
      logs.remove();
    }
  }, 120_000);
});
