import type { INestApplicationContext } from '@nestjs/common';
import { postgresConnection } from '../support/postgres.js';
import { redisConnection, uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch, report, type WorkerProcess } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

// Over Redis, and over BullMQ's PostgreSQL backend (the same stalled-job recovery, by SQL).
describe.each(['redis', 'postgres'] as const)('fault injection: workers SIGKILLed at random (%s)', (backend) => {
  it('2,000 messages while workers are killed and restarted: every delivery completes at least once, 0 lost', async () => {
    const lib = await builtPackage();
    const { port } = redisConnection();
    const queue = uniqueQueue('crash');
    const logs = scratch();
    const store: Record<string, string> = backend === 'redis' ? { REDIS_PORT: String(port) } : { POSTGRES_URL: postgresConnection().connectionString! };
    const env = { ...store, QUEUE: queue, LOG_FILE: logs.file('work.log'), CONCURRENCY: '8' };
    const workers: WorkerProcess[] = await Promise.all([startWorker(env), startWorker(env), startWorker(env)]);
    const publisher: INestApplicationContext = await createWorkApp({
      ...(backend === 'redis' ? { connection: { host: '127.0.0.1', port } } : { backend: { postgres: postgresConnection() } }),
      queueName: queue,
      worker: false,
      removeOnComplete: false,
    });
    const admin = publisher.get(lib.MessagioAdmin);
    const total = 2000;
    let kills = 0;
    let stop = false;
    // Kill a random worker every 300–800 ms and start a replacement, while work remains.
    const killer = (async () => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 500));
        if (stop) break;
        const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]!;
        victim.child.kill('SIGKILL');
        await victim.exited;
        kills++;
        workers.push(await startWorker(env));
      }
    })();
    try {
      // 20–60 ms of work each: about 3 s of work for 24 slots, so kills land on deliveries in flight.
      const messages = Array.from({ length: total }, (_, n) => new Work(n, 20 + Math.floor(Math.random() * 40)));
      for (let i = 0; i < total; i += 100) {
        await publisher.get(lib.MessagioPublisher).fireMany(messages.slice(i, i + 100));
        await new Promise((r) => setTimeout(r, 150));
      }
      // Keep killing until at least 5 kills happened, then let the workers finish.
      await eventually(() => kills >= 5, 30_000, 'five kills');
      stop = true;
      await killer;
      await eventually(async () => (await admin.counts()).completed === total, 90_000, `${total} completed deliveries`);
      const counts = await admin.counts();
      const { started, done } = parseLog(logs.read('work.log'));
      const handled = done.size;
      const duplicates = [...done.values()].reduce((sum, runs) => sum + runs.length - 1, 0);
      // Deliveries a kill cut short: started more often than they finished.
      const interrupted = [...started].filter(([id, runs]) => runs.length > (done.get(id)?.length ?? 0)).length;
      report(`random SIGKILL (${backend})`, { sent: total, handled, duplicates, interrupted, lost: total - handled, failed: counts.failed, kills });
      expect(interrupted).toBeGreaterThan(0); // the kills did hit work in flight
      expect(handled).toBe(total);
      expect(counts).toEqual({ queued: 0, delayed: 0, running: 0, completed: total, failed: 0 });
    } finally {
      stop = true;
      await killer;
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await publisher.close();
      logs.remove();
    }
  }, 150_000);
});
