// 3. Draining a backlog: the queue is filled first (untimed), then a worker
//    drains it through a real @OnMessagio listener vs a raw Worker with a no-op
//    processor. Rate = deliveries / (last listener end − first listener start).
import { createMessagioApp } from '../lib/apps.js';
import { fillRaw, fillShaped, fillWithMessagio } from '../lib/fill.js';
import { shapedRow, type BenchContext, type RowSpec, type Scenario, type Trial } from '../lib/harness.js';
import { OrderPlacedListener, Probe } from '../lib/listeners.js';
import { SHAPED, rawWorker } from '../lib/raw.js';
import { perSecond } from '../lib/stats.js';
import { Countdown, within } from '../lib/wait.js';

const FULL = 20_000;
const CONCURRENCIES = [1, 16, 64];

/** `asyncContext: false`: listeners outside messagio's AsyncLocalStorage (no promise hooks on Node 20). */
function messagioTrial(ctx: BenchContext, concurrency: number, validate: boolean, asyncContext = true): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'}${asyncContext ? '' : ' asyncContext off'} c=${concurrency}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const queueName = ctx.queueName('drain');
      await fillWithMessagio(ctx.redis, queueName, n);
      const countdown = new Countdown(n);
      const probe = new Probe();
      probe.onStart = () => countdown.start();
      probe.onDone = () => countdown.finish();
      const m = await createMessagioApp({ redis: ctx.redis, queueName, concurrency, validate, listeners: [OrderPlacedListener], probe, messagio: { asyncContext } });
      try {
        await within(countdown.done, 120_000 + n * 2, `draining ${n} messagio deliveries`);
        return { 'deliveries/s': perSecond(n - 1, countdown.elapsed) };
      } finally {
        await m.close();
      }
    },
  };
}

/** `shaped`: the backlog holds jobs shaped like messagio deliveries (diagnostic; see messagioShapedJob). */
function rawTrial(ctx: BenchContext, concurrency: number, shaped: boolean): Trial {
  return {
    key: `${shaped ? SHAPED : 'raw'} c=${concurrency}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const queueName = ctx.queueName('drain-raw');
      await (shaped ? fillShaped : fillRaw)(ctx.redis, queueName, n);
      const countdown = new Countdown(n);
      const worker = rawWorker<unknown>(ctx.redis, queueName, concurrency, async () => {
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
  isolated: true,
  trials: (ctx) =>
    CONCURRENCIES.flatMap((c) => [
      rawTrial(ctx, c, false),
      messagioTrial(ctx, c, true),
      messagioTrial(ctx, c, false),
      rawTrial(ctx, c, true),
      messagioTrial(ctx, c, true, false),
    ]),
  rows: (ctx) =>
    CONCURRENCIES.flatMap((c): RowSpec[] => {
      const what = (validate: boolean) =>
        `${ctx.size(FULL, 500).toLocaleString('en-US')} deliveries, concurrency ${c}, validation ${validate ? 'on' : 'off'}`;
      const rows = [true, false].map(
        (validate): RowSpec => ({
          case: what(validate),
          metric: 'throughput',
          unit: 'deliveries/s',
          higherIsBetter: true,
          subject: { trial: `messagio validation ${validate ? 'on' : 'off'} c=${c}`, metric: 'deliveries/s', label: 'messagio' },
          baseline: { trial: `raw c=${c}`, metric: 'deliveries/s', label: 'raw' },
          ...(validate ? { target: { kind: 'ratio-at-least' as const, value: 0.95 } } : {}),
        }),
      );
      const shaped = shapedRow(what(true), `messagio validation on c=${c}`, 'deliveries/s');
      shaped.baseline!.trial = `${SHAPED} c=${c}`;
      // What the async context costs on Node 20 (docs/performance.md#what-the-async-context-costs).
      const noContext: RowSpec = {
        case: `${what(true)}, asyncContext: false`,
        metric: 'throughput',
        unit: 'deliveries/s',
        higherIsBetter: true,
        subject: { trial: `messagio validation on asyncContext off c=${c}`, metric: 'deliveries/s', label: 'messagio' },
        baseline: { trial: `raw c=${c}`, metric: 'deliveries/s', label: 'raw' },
      };
      return [...rows, shaped, noContext];
    }),
};
