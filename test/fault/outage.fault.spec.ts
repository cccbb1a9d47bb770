import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { startRedisServer, type RedisServerHandle } from '../../lib/testing/redis-server.js';
import { uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch, report, type WorkerProcess } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

describe('fault injection: Redis killed and restarted mid-stream', () => {
  it('handles every message whose fire() resolved; fires during the outage reject in bounded time', async () => {
    const lib = await builtPackage();
    // A Redis of its own, durable: append-only file, fsync on every write.
    const dir = mkdtempSync(join(tmpdir(), 'messagio-aof-'));
    const args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
    let redis: RedisServerHandle = await startRedisServer({ args });
    const port = redis.port;
    const queue = uniqueQueue('outage');
    const logs = scratch();
    const publishTimeout = 1000;
    const env = { REDIS_PORT: String(port), QUEUE: queue, LOG_FILE: logs.file('work.log'), CONCURRENCY: '4' };
    const workers: WorkerProcess[] = [await startWorker(env), await startWorker(env)];
    const publisher: INestApplicationContext = await createWorkApp({
      connection: { host: '127.0.0.1', port },
      queueName: queue,
      worker: false,
      removeOnComplete: false,
      publishTimeout,
    });
    const stored: string[] = [];
    const rejections: Array<{ ms: number; name: string }> = [];
    let sent = 0;
    try {
      const fire = async (n: number) => {
        const started = Date.now();
        try {
          const receipt = await publisher.get(lib.MessagioPublisher).fire(new Work(n, 2));
          stored.push(`${receipt.messageId}|work`);
        } catch (error) {
          rejections.push({ ms: Date.now() - started, name: (error as Error).name });
        }
      };
      const streaming = (async () => {
        const until = Date.now() + 7000;
        while (Date.now() < until) {
          sent++;
          await fire(sent);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await new Promise((r) => setTimeout(r, 1500));
      redis.process.kill('SIGKILL');
      await new Promise((r) => redis.process.once('exit', r));
      await new Promise((r) => setTimeout(r, 2000));
      redis = await startRedisServer({ port, args });
      await streaming;
      await eventually(() => stored.every((id) => parseLog(logs.read('work.log')).done.has(id)), 60_000, 'every stored message to be handled');
      const { done } = parseLog(logs.read('work.log'));
      const handled = stored.filter((id) => done.has(id)).length;
      const duplicates = stored.reduce((sum, id) => sum + (done.get(id)?.length ?? 1) - 1, 0);
      const slowestReject = Math.max(0, ...rejections.map((r) => r.ms));
      report('Redis outage', { sent, stored: stored.length, handled, duplicates, lost: stored.length - handled, rejected: rejections.length, slowestRejectMs: slowestReject });
      expect(handled).toBe(stored.length);
      expect(stored.length).toBeGreaterThan(100);
      expect(rejections.length).toBeGreaterThan(0);
      expect(new Set(rejections.map((r) => r.name))).toEqual(new Set(['MessagioUnavailableError']));
      expect(slowestReject).toBeLessThanOrEqual(publishTimeout + 500);
      // The workers reconnected by themselves: they are the same processes.
      for (const w of workers) expect(w.child.exitCode).toBeNull();
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await publisher.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
      logs.remove();
    }
  }, 120_000);
});
