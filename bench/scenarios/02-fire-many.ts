// 2. fireMany() in batches of 1,000 messages (one listener each) vs
//    queue.addBulk of 1,000 jobs. Producer only.
import { createMessagioApp } from '../lib/apps.js';
import { shapedRow, type BenchContext, type Scenario, type Trial } from '../lib/harness.js';
import { OrderPlacedListener } from '../lib/listeners.js';
import { OrderPlaced, orderPayload, type OrderPayload } from '../lib/messages.js';
import { RAW_JOB_OPTIONS, SHAPED, messagioShapedJob, rawQueue } from '../lib/raw.js';
import { perSecond } from '../lib/stats.js';

const FULL = 20_000;
const BATCH = 1000;

/** Batches of `BATCH` (the last may be shorter) covering `total` items from `offset`. */
function batches<T>(total: number, offset: number, make: (seq: number) => T): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < total; start += BATCH) {
    out.push(Array.from({ length: Math.min(BATCH, total - start) }, (_, i) => make(offset + start + i)));
  }
  return out;
}

function messagioTrial(ctx: BenchContext, validate: boolean): Trial {
  return {
    key: `messagio validation ${validate ? 'on' : 'off'}`,
    async run() {
      const n = ctx.size(FULL, BATCH);
      const m = await createMessagioApp({ redis: ctx.redis, queueName: ctx.queueName('fire-many'), concurrency: false, validate, listeners: [OrderPlacedListener] });
      try {
        await m.publisher.fireMany(batches(BATCH, 0, (i) => new OrderPlaced(orderPayload(i)))[0]!); // warm-up
        let elapsed = 0;
        for (const batch of batches(n, BATCH, (i) => orderPayload(i))) {
          const t0 = performance.now();
          await m.publisher.fireMany(batch.map((p) => new OrderPlaced(p)));
          elapsed += performance.now() - t0;
        }
        return { 'jobs/s': perSecond(n, elapsed) };
      } finally {
        await m.close();
      }
    },
  };
}

/** `shaped`: each job shaped like a messagio delivery (diagnostic; see messagioShapedJob). */
function rawTrial(ctx: BenchContext, shaped: boolean): Trial {
  const job = shaped
    ? (p: OrderPayload) => messagioShapedJob(p, 'bench.order-placed', 'OrderPlacedListener.handle')
    : (p: OrderPayload) => ({ name: 'bench.order-placed', data: p as unknown, opts: RAW_JOB_OPTIONS });
  return {
    key: shaped ? SHAPED : 'raw',
    async run() {
      const n = ctx.size(FULL, BATCH);
      const queue = rawQueue<unknown>(ctx.redis, ctx.queueName('add-bulk'));
      try {
        await queue.waitUntilReady();
        await queue.addBulk(batches(BATCH, 0, (i) => job(orderPayload(i)))[0]!); // warm-up
        let elapsed = 0;
        for (const batch of batches(n, BATCH, (i) => orderPayload(i))) {
          const t0 = performance.now();
          await queue.addBulk(batch.map(job));
          elapsed += performance.now() - t0;
        }
        return { 'jobs/s': perSecond(n, elapsed) };
      } finally {
        await queue.close();
      }
    },
  };
}

export const fireManyScenario: Scenario = {
  id: '2',
  title: 'fireMany() vs queue.addBulk',
  trials: (ctx) => [rawTrial(ctx, false), messagioTrial(ctx, true), messagioTrial(ctx, false), rawTrial(ctx, true)],
  rows: () => [
    {
      case: `batches of ${BATCH}, validation on`,
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation on', metric: 'jobs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'jobs/s', label: 'raw' },
      target: { kind: 'ratio-at-least', value: 0.95 },
    },
    {
      case: `batches of ${BATCH}, validation off`,
      metric: 'throughput',
      unit: 'jobs/s',
      higherIsBetter: true,
      subject: { trial: 'messagio validation off', metric: 'jobs/s', label: 'messagio' },
      baseline: { trial: 'raw', metric: 'jobs/s', label: 'raw' },
    },
    shapedRow(`batches of ${BATCH}, validation on`, 'messagio validation on', 'jobs/s'),
  ],
};
