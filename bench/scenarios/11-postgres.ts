// 11. The same messagio code on BullMQ's PostgreSQL backend and on Redis, side
//     by side: fire() one at a time (as scenario 1) and draining a backlog at
//     concurrency 16 (as scenario 3). The baseline here is messagio on Redis,
//     not raw BullMQ: what is measured is what the backend costs.
import { createMessagioApp } from '../lib/apps.js';
import { fillWithMessagio } from '../lib/fill.js';
import type { BenchContext, RowSpec, Scenario, Trial } from '../lib/harness.js';
import { OrderPlacedListener, Probe } from '../lib/listeners.js';
import { OrderPlaced, orderPayload } from '../lib/messages.js';
import { perSecond } from '../lib/stats.js';
import { Countdown, within } from '../lib/wait.js';

const FIRES = 2000;
const BACKLOG = 10_000;
const CONCURRENCY = 16;
const BACKENDS = ['redis', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];

function postgresOf(ctx: BenchContext, backend: Backend): string | undefined {
  if (backend === 'redis') return undefined;
  if (!ctx.postgres) throw new Error('scenario 11 needs the benchmark’s PostgreSQL (started by main.ts)');
  return ctx.postgres;
}

function fireTrial(ctx: BenchContext, backend: Backend): Trial {
  return {
    key: `messagio on ${backend} fire`,
    async run() {
      const n = ctx.size(FIRES, 50);
      const m = await createMessagioApp({
        redis: ctx.redis,
        postgres: postgresOf(ctx, backend),
        queueName: ctx.queueName(`pg-fire-${backend}`),
        concurrency: false,
        validate: true,
        listeners: [OrderPlacedListener],
      });
      try {
        const warmup = Math.min(100, n);
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

function drainTrial(ctx: BenchContext, backend: Backend): Trial {
  return {
    key: `messagio on ${backend} drain`,
    async run() {
      const n = ctx.size(BACKLOG, 200);
      const queueName = ctx.queueName(`pg-drain-${backend}`);
      const postgres = postgresOf(ctx, backend);
      await fillWithMessagio(ctx.redis, queueName, n, postgres);
      const countdown = new Countdown(n);
      const probe = new Probe();
      probe.onStart = () => countdown.start();
      probe.onDone = () => countdown.finish();
      const m = await createMessagioApp({ redis: ctx.redis, postgres, queueName, concurrency: CONCURRENCY, validate: true, listeners: [OrderPlacedListener], probe });
      try {
        await within(countdown.done, 120_000 + n * 5, `draining ${n} deliveries on ${backend}`);
        return { 'deliveries/s': perSecond(n - 1, countdown.elapsed) };
      } finally {
        await m.close();
      }
    },
  };
}

export const postgresScenario: Scenario = {
  id: '11',
  title: 'PostgreSQL backend vs Redis (messagio on both)',
  needsPostgres: true,
  trials: (ctx) => BACKENDS.flatMap((b) => [fireTrial(ctx, b), drainTrial(ctx, b)]),
  rows: (ctx): RowSpec[] => [
    {
      case: `fire() one at a time, 1 listener, validation on (${ctx.size(FIRES, 50).toLocaleString('en-US')} messages)`,
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio on postgres fire', metric: 'jobs/s', label: 'PostgreSQL' },
      baseline: { trial: 'messagio on redis fire', metric: 'jobs/s', label: 'Redis' },
    },
    {
      case: `draining ${ctx.size(BACKLOG, 200).toLocaleString('en-US')} deliveries, concurrency ${CONCURRENCY}, validation on`,
      metric: 'throughput',
      unit: 'deliveries/s',
      higherIsBetter: true,
      subject: { trial: 'messagio on postgres drain', metric: 'deliveries/s', label: 'PostgreSQL' },
      baseline: { trial: 'messagio on redis drain', metric: 'deliveries/s', label: 'Redis' },
    },
  ],
};
