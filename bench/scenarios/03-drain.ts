// 3. Draining a backlog: the queue is filled first (untimed), then a worker
//    drains it through a real @OnMessagio listener vs a raw Worker with a no-op
//    processor. Rate = deliveries / (last listener end − first listener start).
import { createMessagioApp } from '../lib/apps.js';
import { fillRaw, fillWithMessagio } from '../lib/fill.js';
import type { BenchContext, RowSpec, Scenario, Trial } from '../lib/harness.js';
import { OrderPlacedListener, Probe } from '../lib/listeners.js';
import { rawWorker } from '../lib/raw.js';
import { perSecond } from '../lib/stats.js';
import { Countdown, within } from '../lib/wait.js';

const FULL = 20_000;
const CONCURRENCIES = [1, 16, 64];

function messagioTrial(ctx: BenchContext, concurrency: number, validate: boolean): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'} c=${concurrency}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const queueName = ctx.queueName('drain');
      await fillWithMessagio(ctx.redis, queueName, n);
      const countdown = new Countdown(n);
      const probe = new Probe();
      probe.onStart = () => countdown.start();
      probe.onDone = () => countdown.finish();
      const m = await createMessagioApp({ redis: ctx.redis, queueName, concurrency, validate, listeners: [OrderPlacedListener], probe });
      try {
        await within(countdown.done, 120_000 + n * 2, `draining ${n} messagio deliveries`);
        return { 'deliveries/s': perSecond(n - 1, countdown.elapsed) };
      } finally {
        await m.close();
      }
    },
  };
}

function rawTrial(ctx: BenchContext, concurrency: number): Trial {
  return {
    key: `raw c=${concurrency}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const queueName = ctx.queueName('drain-raw');
      await fillRaw(ctx.redis, queueName, n);
      const countdown = new Countdown(n);
      const worker = rawWorker(ctx.redis, queueName, concurrency, async () => {
        countdown.start();
        countdown.finish();
      });
      try {
        await within(countdown.done, 120_000 + n * 2, `draining ${n} raw jobs`);
        return { 'deliveries/s': perSecond(n - 1, countdown.elapsed) };
      } finally {
        await worker.close();
      }
    },
  };
}

export const drainScenario: Scenario = {
  id: '3',
  title: 'Draining a backlog',
  trials: (ctx) =>
    CONCURRENCIES.flatMap((c) => [rawTrial(ctx, c), messagioTrial(ctx, c, true), messagioTrial(ctx, c, false)]),
  rows: (ctx) =>
    CONCURRENCIES.flatMap((c): RowSpec[] =>
      [true, false].map((validate) => ({
        case: `${ctx.size(FULL, 500).toLocaleString('en-US')} deliveries, concurrency ${c}, validation ${validate ? 'on' : 'off'}`,
        metric: 'throughput',
        unit: 'deliveries/s',
        higherIsBetter: true,
        subject: { trial: `messagio validation ${validate ? 'on' : 'off'} c=${c}`, metric: 'deliveries/s', label: 'messagio' },
        baseline: { trial: `raw c=${c}`, metric: 'deliveries/s', label: 'raw' },
        ...(validate ? { target: { kind: 'ratio-at-least' as const, value: 0.9 } } : {}),
      })),
    ),
};
