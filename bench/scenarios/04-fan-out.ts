// 4. Fan-out while consuming: each message goes to three listeners. messagio:
//    an awaited fire() (one addBulk of 3 jobs) per message; raw: an awaited
//    addBulk of 3 jobs per message. A worker in the same process consumes
//    meanwhile; rate = messages / (first fire → last of the 3N deliveries done).
import { createMessagioApp } from '../lib/apps.js';
import { shapedRow, type BenchContext, type RowSpec, type Scenario, type Trial } from '../lib/harness.js';
import { OrderShippedListeners, Probe } from '../lib/listeners.js';
import { OrderShipped, orderPayload } from '../lib/messages.js';
import { RAW_JOB_OPTIONS, SHAPED, messagioShapedJob, rawQueue, rawWorker } from '../lib/raw.js';
import { perSecond } from '../lib/stats.js';
import { Countdown, within } from '../lib/wait.js';

const FULL = 3000;
const CONCURRENCY = 16;
// The three listeners of OrderShippedListeners, with their priorities.
const LISTENERS = [
  ['OrderShippedListeners.email', 9],
  ['OrderShippedListeners.stock', 5],
  ['OrderShippedListeners.audit', 3],
] as const;

/** `asyncContext: false`: listeners outside messagio's AsyncLocalStorage (no promise hooks on Node 20). */
function messagioTrial(ctx: BenchContext, validate: boolean, asyncContext = true): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'}${asyncContext ? '' : ' asyncContext off'}`,
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
        messagio: { asyncContext },
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

/** `shaped`: jobs shaped like messagio deliveries (diagnostic; see messagioShapedJob). */
function rawTrial(ctx: BenchContext, shaped: boolean): Trial {
  const jobs = (seq: number) =>
    LISTENERS.map(([listener, priority]) =>
      shaped
        ? messagioShapedJob(orderPayload(seq), 'bench.order-shipped', listener, priority)
        : { name: 'bench.order-shipped', data: { ...orderPayload(seq), listener } as unknown, opts: RAW_JOB_OPTIONS },
    );
  return {
    key: shaped ? SHAPED : 'raw',
    async run() {
      const n = ctx.size(FULL, 100);
      const warmup = Math.min(100, n);
      const queueName = ctx.queueName('fan-out-raw');
      const queue = rawQueue<unknown>(ctx.redis, queueName);
      let countdown = new Countdown(warmup * 3);
      const worker = rawWorker<unknown>(ctx.redis, queueName, CONCURRENCY, async () => countdown.finish());
      const fire = (seq: number) => queue.addBulk(jobs(seq));
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
  isolated: true,
  trials: (ctx) => [rawTrial(ctx, false), messagioTrial(ctx, true), messagioTrial(ctx, false), rawTrial(ctx, true), messagioTrial(ctx, true, false)],
  rows: () => [
    ...[true, false].map(
      (validate): RowSpec => ({
        case: `1 message → 3 jobs, concurrency ${CONCURRENCY}, validation ${validate ? 'on' : 'off'}`,
        metric: 'throughput',
        unit: 'msgs/s',
        higherIsBetter: true,
        subject: { trial: `messagio validation ${validate ? 'on' : 'off'}`, metric: 'msgs/s', label: 'messagio' },
        baseline: { trial: 'raw', metric: 'msgs/s', label: 'raw' },
        ...(validate ? { target: { kind: 'ratio-at-least' as const, value: 0.95 } } : {}),
      }),
    ),
    shapedRow(`1 message → 3 jobs, concurrency ${CONCURRENCY}, validation on`, 'messagio validation on', 'msgs/s'),
    // What the async context costs on Node 20 (docs/performance.md#what-the-async-context-costs).
    {
      case: `1 message → 3 jobs, concurrency ${CONCURRENCY}, validation on, asyncContext: false`,
      metric: 'throughput',
      unit: 'msgs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation on asyncContext off', metric: 'msgs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'msgs/s', label: 'raw' },
    },
  ],
};
