// 4. Fan-out while consuming: each message goes to three listeners. messagio:
//    an awaited fire() (one addBulk of 3 jobs) per message; raw: an awaited
//    addBulk of 3 jobs per message. A worker in the same process consumes
//    meanwhile; rate = messages / (first fire → last of the 3N deliveries done).
import { createMessagioApp } from '../lib/apps.js';
import type { BenchContext, Scenario, Trial } from '../lib/harness.js';
import { OrderShippedListeners, Probe } from '../lib/listeners.js';
import { OrderShipped, orderPayload } from '../lib/messages.js';
import { RAW_JOB_OPTIONS, rawQueue, rawWorker } from '../lib/raw.js';
import { perSecond } from '../lib/stats.js';
import { Countdown, within } from '../lib/wait.js';

const FULL = 3000;
const CONCURRENCY = 16;
const LISTENERS = ['email', 'stock', 'audit'];

function messagioTrial(ctx: BenchContext, validate: boolean): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'}`,
    async run() {
      const n = ctx.size(FULL, 100);
      const warmup = Math.min(100, n);
      let countdown = new Countdown(warmup * 3);
      const probe = new Probe();
      probe.onDone = () => countdown.finish();
      const m = await createMessagioApp({
        redis: ctx.redis,
        queueName: ctx.queueName('fan-out'),
        concurrency: CONCURRENCY,
        validate,
        listeners: [OrderShippedListeners],
        probe,
      });
      try {
        for (let i = 0; i < warmup; i++) await m.publisher.fire(new OrderShipped(orderPayload(i)));
        await within(countdown.done, 60_000, 'warm-up');
        countdown = new Countdown(n * 3);
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await m.publisher.fire(new OrderShipped(orderPayload(warmup + i)));
        await within(countdown.done, 120_000 + n * 3, `consuming ${n * 3} messagio deliveries`);
        return { 'msgs/s': perSecond(n, countdown.lastDone - t0) };
      } finally {
        await m.close();
      }
    },
  };
}

function rawTrial(ctx: BenchContext): Trial {
  return {
    key: 'raw',
    async run() {
      const n = ctx.size(FULL, 100);
      const warmup = Math.min(100, n);
      const queueName = ctx.queueName('fan-out-raw');
      const queue = rawQueue(ctx.redis, queueName);
      let countdown = new Countdown(warmup * 3);
      const worker = rawWorker(ctx.redis, queueName, CONCURRENCY, async () => countdown.finish());
      const fire = (seq: number) =>
        queue.addBulk(LISTENERS.map((listener) => ({ name: 'bench.order-shipped', data: { ...orderPayload(seq), listener }, opts: RAW_JOB_OPTIONS })));
      try {
        await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
        for (let i = 0; i < warmup; i++) await fire(i);
        await within(countdown.done, 60_000, 'warm-up');
        countdown = new Countdown(n * 3);
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await fire(warmup + i);
        await within(countdown.done, 120_000 + n * 3, `consuming ${n * 3} raw jobs`);
        return { 'msgs/s': perSecond(n, countdown.lastDone - t0) };
      } finally {
        await worker.close();
        await queue.close();
      }
    },
  };
}

export const fanOutScenario: Scenario = {
  id: '4',
  title: 'Fan-out to 3 listeners while consuming',
  trials: (ctx) => [rawTrial(ctx), messagioTrial(ctx, true), messagioTrial(ctx, false)],
  rows: () =>
    [true, false].map((validate) => ({
      case: `1 message → 3 jobs, concurrency ${CONCURRENCY}, validation ${validate ? 'on' : 'off'}`,
      metric: 'throughput',
      unit: 'msgs/s',
      higherIsBetter: true,
      subject: { trial: `messagio validation ${validate ? 'on' : 'off'}`, metric: 'msgs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'msgs/s', label: 'raw' },
      ...(validate ? { target: { kind: 'ratio-at-least' as const, value: 0.9 } } : {}),
    })),
};
