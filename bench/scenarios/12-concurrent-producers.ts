// 12. Concurrent producers: 64 callers, each awaiting fire() in a loop (as
//     request handlers firing at the same time do) vs 64 callers each awaiting
//     queue.add() the same way. Producer only. Besides the rate, the CPU time
//     per message of this process and of redis-server: which of the two is the limit.
import { createMessagioApp } from '../lib/apps.js';
import { shapedRow, type BenchContext, type RowSpec, type Scenario, type Trial, type TrialResult } from '../lib/harness.js';
import { OrderPlacedListener } from '../lib/listeners.js';
import { OrderPlaced, orderPayload } from '../lib/messages.js';
import { SHAPED, orderPlacedAdder, rawQueue } from '../lib/raw.js';
import type { BenchRedis } from '../lib/redis.js';
import { perSecond } from '../lib/stats.js';

const FULL = 20_000;
export const PRODUCERS = 64;

/** `PRODUCERS` loops sharing one counter, each awaiting `send(seq)` before taking the next number. */
async function produce(n: number, offset: number, send: (seq: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < n) await send(offset + next++);
  };
  await Promise.all(Array.from({ length: PRODUCERS }, loop));
}

/** Runs `n` sends from `PRODUCERS` callers; the rate, and CPU µs per message of this process and of Redis. */
async function measure(redis: BenchRedis, n: number, send: (seq: number) => Promise<unknown>): Promise<TrialResult> {
  const warmup = Math.min(PRODUCERS * 10, n);
  await produce(warmup, 0, send);
  const redisCpu0 = await redis.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await produce(n, warmup, send);
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const redisCpu = (await redis.cpuSeconds()) - redisCpu0;
  return {
    'jobs/s': perSecond(n, elapsed),
    'node cpu µs/msg': (cpu.user + cpu.system) / n,
    'redis cpu µs/msg': (redisCpu * 1e6) / n,
  };
}

function messagioTrial(ctx: BenchContext, validate: boolean): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'}`,
    async run() {
      const n = ctx.size(FULL, PRODUCERS * 2);
      const m = await createMessagioApp({ redis: ctx.redis, queueName: ctx.queueName('producers'), concurrency: false, validate, listeners: [OrderPlacedListener] });
      try {
        return await measure(ctx.redis, n, (seq) => m.publisher.fire(new OrderPlaced(orderPayload(seq))));
      } finally {
        await m.close();
      }
    },
  };
}

/** `shaped`: each job shaped like a messagio delivery (diagnostic; see messagioShapedJob). */
function rawTrial(ctx: BenchContext, shaped: boolean): Trial {
  const add = orderPlacedAdder(shaped);
  return {
    key: shaped ? SHAPED : 'raw',
    async run() {
      const n = ctx.size(FULL, PRODUCERS * 2);
      const queue = rawQueue<unknown>(ctx.redis, ctx.queueName('producers-raw'));
      try {
        await queue.waitUntilReady();
        return await measure(ctx.redis, n, (seq) => add(queue, seq));
      } finally {
        await queue.close();
      }
    },
  };
}

function cpuRow(what: string, trial: string, metric: string, label: string, baselineTrial = 'raw'): RowSpec {
  return {
    case: what,
    metric: `CPU per message, ${label}`,
    unit: 'µs',
    higherIsBetter: false,
    subject: { trial, metric, label: 'messagio' },
    baseline: { trial: baselineTrial, metric, label: 'raw' },
  };
}

export const concurrentProducersScenario: Scenario = {
  id: '12',
  title: `${PRODUCERS} concurrent producers: awaited fire() vs awaited queue.add()`,
  isolated: true,
  trials: (ctx) => [rawTrial(ctx, false), messagioTrial(ctx, true), messagioTrial(ctx, false), rawTrial(ctx, true)],
  rows: () => [
    {
      case: `${PRODUCERS} callers in a loop, 1 listener, validation on`,
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation on', metric: 'jobs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'jobs/s', label: 'raw' },
      target: { kind: 'ratio-at-least', value: 0.95 },
    },
    {
      case: `${PRODUCERS} callers in a loop, 1 listener, validation off`,
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation off', metric: 'jobs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'jobs/s', label: 'raw' },
    },
    shapedRow(`${PRODUCERS} callers in a loop, 1 listener, validation on`, 'messagio validation on', 'jobs/s'),
    cpuRow('validation on', 'messagio validation on', 'node cpu µs/msg', 'Node (this process)'),
    cpuRow('validation on', 'messagio validation on', 'redis cpu µs/msg', 'redis-server'),
  ],
};
