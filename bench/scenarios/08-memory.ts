// 8. Memory: 100,000 messages to two listeners (200,000 deliveries) with the
//    default retention, fired with fireMany while the same process consumes,
//    in 10 rounds. After each round is drained: Redis used_memory and the
//    process's RSS / heap (after GC). "Flat" = growth from the middle of the
//    run to its end. Each trial runs in a fresh child process.
import { Redis } from 'ioredis';
import { createMessagioApp } from '../lib/apps.js';
import type { BenchContext, RowSpec, Scenario, Trial } from '../lib/harness.js';
import { OrderPaidListeners, Probe } from '../lib/listeners.js';
import { OrderPaid, orderPayload } from '../lib/messages.js';
import { spawnChild } from '../lib/processes.js';
import { RAW_JOB_OPTIONS, rawQueue, rawWorker } from '../lib/raw.js';
import type { RedisTarget } from '../lib/redis.js';
import { sleep, within } from '../lib/wait.js';

const FULL = 100_000; // messages; 2 deliveries each
const ROUNDS = 10;
const BATCH = 1000;
const CONCURRENCY = 16;
const LISTENERS = ['ledger', 'receipt'];
const MB = 1024 * 1024;

export interface MemoryTask {
  task: 'memory';
  mode: 'messagio' | 'raw';
  redis: RedisTarget;
  queueName: string;
  messages: number;
}

interface MemorySample {
  deliveries: number;
  redisBytes: number;
  rss: number;
  heapUsed: number;
}

/** In the child: produce and consume, sampling after each round. */
export async function runMemoryTask(task: MemoryTask): Promise<void> {
  const admin = new Redis({ host: task.redis.host, port: task.redis.port });
  let delivered = 0;
  let fire: (seqs: number[]) => Promise<unknown>;
  let close: () => Promise<void>;
  if (task.mode === 'messagio') {
    const probe = new Probe();
    probe.onDone = () => delivered++;
    const m = await createMessagioApp({ redis: task.redis, queueName: task.queueName, concurrency: CONCURRENCY, validate: true, listeners: [OrderPaidListeners], probe });
    fire = (seqs) => m.publisher.fireMany(seqs.map((seq) => new OrderPaid(orderPayload(seq))));
    close = () => m.close();
  } else {
    const queue = rawQueue(task.redis, task.queueName);
    const worker = rawWorker(task.redis, task.queueName, CONCURRENCY, async () => void delivered++);
    fire = (seqs) =>
      queue.addBulk(seqs.flatMap((seq) => LISTENERS.map((listener) => ({ name: 'bench.order-paid', data: { ...orderPayload(seq), listener }, opts: RAW_JOB_OPTIONS }))));
    close = async () => {
      await worker.close();
      await queue.close();
    };
  }
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const samples: MemorySample[] = [];
  const perRound = Math.ceil(task.messages / ROUNDS);
  let sent = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const end = Math.min(task.messages, sent + perRound);
    while (sent < end) {
      const count = Math.min(BATCH, end - sent);
      await fire(Array.from({ length: count }, (_, i) => sent + i));
      sent += count;
    }
    const drained = async () => {
      while (delivered < sent * LISTENERS.length) await sleep(5);
    };
    await within(drained(), 300_000, `draining round ${round + 1}`);
    gc();
    await sleep(20);
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    const info = await admin.info('memory');
    samples.push({ deliveries: delivered, redisBytes: Number(/used_memory:(\d+)/.exec(info)?.[1]), rss, heapUsed });
  }
  await close();
  admin.disconnect();
  process.send?.({ type: 'result', samples });
}

function growth(samples: MemorySample[], field: keyof MemorySample): number {
  const mid = samples[Math.floor(samples.length / 2) - 1]![field];
  const end = samples[samples.length - 1]![field];
  return ((end - mid) / mid) * 100;
}

function trial(ctx: BenchContext, mode: 'messagio' | 'raw'): Trial {
  return {
    key: mode,
    async run() {
      const child = spawnChild(
        { task: 'memory', mode, redis: { host: ctx.redis.host, port: ctx.redis.port }, queueName: ctx.queueName(`memory-${mode}`), messages: ctx.size(FULL, 1000) },
        ['--expose-gc'],
      );
      const { samples } = await within(child.next<{ type: 'result'; samples: MemorySample[] }>('result'), 900_000, `memory trial (${mode})`);
      await child.exited;
      const last = samples[samples.length - 1]!;
      return {
        'redis MB': last.redisBytes / MB,
        'redis growth %': growth(samples, 'redisBytes'),
        'rss MB': last.rss / MB,
        'rss growth %': growth(samples, 'rss'),
        'heap MB': last.heapUsed / MB,
        'heap growth %': growth(samples, 'heapUsed'),
        deliveries: last.deliveries,
      };
    },
  };
}

export const memoryScenario: Scenario = {
  id: '8',
  title: 'Memory with default retention',
  trials: (ctx) => [trial(ctx, 'raw'), trial(ctx, 'messagio')],
  rows: (ctx) => {
    const messages = ctx.size(FULL, 1000).toLocaleString('en-US');
    const deliveries = (ctx.size(FULL, 1000) * LISTENERS.length).toLocaleString('en-US');
    const row = (what: string, metric: string, unit: string, key: string, target?: RowSpec['target']): RowSpec => ({
      case: what,
      metric,
      unit,
      higherIsBetter: false,
      subject: { trial: 'messagio', metric: key, label: 'messagio' },
      baseline: { trial: 'raw', metric: key, label: 'raw' },
      ...(target ? { target, worstCase: true } : {}),
    });
    return [
      row(`Redis after ${messages} messages (${deliveries} deliveries)`, 'used_memory', 'MB', 'redis MB'),
      row('Redis, 2nd half of the run', 'used_memory growth', '%', 'redis growth %', { kind: 'at-most', value: 5, unit: '%' }),
      row(`Node process after ${deliveries} deliveries`, 'RSS', 'MB', 'rss MB'),
      row('Node process, 2nd half of the run', 'RSS growth', '%', 'rss growth %', { kind: 'at-most', value: 10, unit: '%' }),
      row('Node process, 2nd half of the run', 'heap used growth', '%', 'heap growth %'),
    ];
  },
};
