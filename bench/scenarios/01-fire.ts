// 1. fire() awaited one message at a time (one listener → one job) vs an
//    awaited queue.add per job. Producer only: nothing consumes.
import { createMessagioApp } from '../lib/apps.js';
import { shapedRow, type BenchContext, type Scenario, type Trial } from '../lib/harness.js';
import { OrderPlacedListener } from '../lib/listeners.js';
import { OrderPlaced, orderPayload } from '../lib/messages.js';
import { SHAPED, orderPlacedAdder, rawQueue } from '../lib/raw.js';
import { perSecond } from '../lib/stats.js';

// Long enough for a stable median: at 5,000 (0.6 s a trial) raw's repeats ranged 8,300–14,700 jobs/s.
const FULL = 20_000;
const WARMUP = 1000;

function messagioTrial(ctx: BenchContext, validate: boolean): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'}`,
    async run() {
      const n = ctx.size(FULL, 100);
      const m = await createMessagioApp({ redis: ctx.redis, queueName: ctx.queueName('fire'), concurrency: false, validate, listeners: [OrderPlacedListener] });
      try {
        const warmup = Math.min(WARMUP, n);
        for (let i = 0; i < warmup; i++) await m.publisher.fire(new OrderPlaced(orderPayload(i)));
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await m.publisher.fire(new OrderPlaced(orderPayload(warmup + i)));
        return { 'jobs/s': perSecond(n, performance.now() - t0) };
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
      const n = ctx.size(FULL, 100);
      const queue = rawQueue<unknown>(ctx.redis, ctx.queueName('add'));
      try {
        await queue.waitUntilReady();
        const warmup = Math.min(WARMUP, n);
        for (let i = 0; i < warmup; i++) await add(queue, i);
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await add(queue, warmup + i);
        return { 'jobs/s': perSecond(n, performance.now() - t0) };
      } finally {
        await queue.close();
      }
    },
  };
}

export const fireScenario: Scenario = {
  id: '1',
  title: 'fire() one at a time vs queue.add',
  trials: (ctx) => [rawTrial(ctx, false), messagioTrial(ctx, true), messagioTrial(ctx, false), rawTrial(ctx, true)],
  rows: () => [
    {
      case: '1 listener, validation on',
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation on', metric: 'jobs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'jobs/s', label: 'raw' },
      target: { kind: 'ratio-at-least', value: 0.95 },
    },
    {
      case: '1 listener, validation off',
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation off', metric: 'jobs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'jobs/s', label: 'raw' },
    },
    shapedRow('1 listener, validation on', 'messagio validation on', 'jobs/s'),
  ],
};
