import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { redisConnection, uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch, report, type WorkerProcess } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

/** Ten kinds of poison, each a job no worker can ever run. */
function poison(i: number): unknown {
  const envelope = { v: 1, type: 'fault.work', id: `poison-${i}`, traceId: 't', causationId: null, firedAt: new Date().toISOString(), listener: 'work', payload: { n: i, ms: 0 } };
  switch (i % 10) {
    case 0: return 'not an envelope';
    case 1: return { ...envelope, v: 99 };
    case 2: return { ...envelope, type: 'nobody.knows' };
    case 3: return { ...envelope, listener: 'Ghost.run' };
    case 4: return { ...envelope, payload: { n: 'NaN' } };
    case 5: return JSON.parse(`{"v":1,"type":"fault.work","id":"p${i}","traceId":"t","causationId":null,"firedAt":"x","listener":"work","payload":{"n":1,"__proto__":{"admin":true}}}`);
    case 6: return { ...envelope, payload: { n: 1, nested: { constructor: { prototype: { admin: true } } } } };
    case 7: return { ...envelope, payload: { n: 1, blob: 'x'.repeat(600 * 1024) } };
    case 8: return { ...envelope, id: '' };
    default: return [envelope];
  }
}

describe('fault injection: poison in the queue', () => {
  it('500 poison jobs interleaved with 500 valid messages: 500 handled, 500 failed with reasons, no worker crash', async () => {
    const lib = await builtPackage();
    const { port } = redisConnection();
    const queueName = uniqueQueue('poison');
    const logs = scratch();
    const env = { REDIS_PORT: String(port), QUEUE: queueName, LOG_FILE: logs.file('work.log'), CONCURRENCY: '8' };
    const workers: WorkerProcess[] = [await startWorker(env), await startWorker(env)];
    const publisher: INestApplicationContext = await createWorkApp({ connection: { host: '127.0.0.1', port }, queueName, worker: false, removeOnComplete: false });
    const queue = publisher.get<Queue>(getQueueToken(lib.MESSAGIO_QUEUE));
    try {
      const valid: string[] = [];
      for (let i = 0; i < 500; i++) {
        await queue.add('poison', poison(i) as never, { jobId: `poison-job-${i}`, attempts: 5, backoff: { type: 'fixed', delay: 10 } });
        valid.push(`${(await publisher.get(lib.MessagioPublisher).fire(new Work(i))).messageId}|work`);
      }
      const admin = publisher.get(lib.MessagioAdmin);
      await eventually(async () => {
        const c = await admin.counts();
        return c.completed + c.failed === 1000 && c.queued + c.running + c.delayed === 0;
      }, 60_000, 'all 1,000 jobs to finish');
      const counts = await admin.counts();
      const { done } = parseLog(logs.read('work.log'));
      const failed = await admin.failed({ limit: 1000 });
      const reasons = new Set(failed.map((f) => (f.error ?? '').split(':')[0]));
      report('poison', { sent: 1000, handled: valid.filter((id) => done.has(id)).length, failed: counts.failed, retried: failed.filter((f) => f.attempts > 1).length, workersAlive: workers.filter((w) => w.child.exitCode === null).length });
      expect(counts.completed).toBe(500);
      expect(valid.every((id) => done.has(id))).toBe(true);
      expect(counts.failed).toBe(500);
      expect(failed.every((f) => f.attempts === 1 && (f.error ?? '').length > 0)).toBe(true);
      expect(reasons).toEqual(new Set(['MessagioEnvelopeError', 'MessagioValidationError']));
      expect(failed.filter((f) => /payload-too-large|more than maxPayloadBytes/.test(f.error ?? '')).length).toBe(50);
      expect(failed.filter((f) => /prototype pollution guard/.test(f.error ?? '')).length).toBe(100);
      for (const w of workers) expect(w.child.exitCode).toBeNull();
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await publisher.close();
      logs.remove();
    }
  }, 120_000);
});
