// 5. Latency at a fixed 500 messages/s (one listener, the worker in the same
//    process): fire() → listener start, and fire() → job completed (seen
//    through BullMQ's QueueEvents, the same way for both), p50/p95/p99.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { QueueEvents } from 'bullmq';
import { createMessagioApp } from '../lib/apps.js';
import type { BenchContext, RowSpec, Scenario, Trial, TrialResult } from '../lib/harness.js';
import { OrderPlacedListener, Probe } from '../lib/listeners.js';
import { OrderPlaced, orderPayload } from '../lib/messages.js';
import { RAW_JOB_OPTIONS, SHAPED, messagioShapedJob, rawQueue, rawWorker } from '../lib/raw.js';
import type { RedisTarget } from '../lib/redis.js';
import { percentile } from '../lib/stats.js';
import { sleep, within } from '../lib/wait.js';

const RATE = 500; // messages per second
const FULL = 2500; // 5 s at 500/s
const CONCURRENCY = 1; // messagio's default
const PERCENTILES = [50, 95, 99];
const NO_CONTEXT = 'messagio asyncContext off';

/** Times of one trial run, by message sequence number. */
class LatencyRecorder {
  readonly firedAt: number[] = [];
  readonly startedAt: number[] = [];
  readonly jobIdOf: string[] = [];
  readonly completedAt = new Map<string, number>();
  private events: QueueEvents | undefined;

  async listen(redis: RedisTarget, queueName: string): Promise<void> {
    this.events = new QueueEvents(queueName, { connection: { host: redis.host, port: redis.port } });
    this.events.on('completed', ({ jobId }) => this.completedAt.set(jobId, performance.now()));
    await this.events.waitUntilReady();
  }

  /**
   * Fires `warmup` messages at RATE and waits until they are all done (the
   * worker is connected and warm, the queue empty), then `n` more at RATE:
   * only those are measured.
   */
  async drive(warmup: number, n: number, fire: (seq: number) => Promise<string>): Promise<TrialResult> {
    await this.phase(0, warmup, fire);
    // How late this process's event loop ran timers meanwhile: separates our
    // own blocking from waiting on Redis or on a busy machine.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const t0 = performance.now();
    await this.phase(warmup, warmup + n, fire);
    const elapsed = performance.now() - t0;
    loop.disable();
    await this.events?.close();
    const start: number[] = [];
    const done: number[] = [];
    for (let seq = warmup; seq < warmup + n; seq++) {
      start.push(this.startedAt[seq]! - this.firedAt[seq]!);
      done.push(this.completedAt.get(this.jobIdOf[seq]!)! - this.firedAt[seq]!);
    }
    const result: TrialResult = {};
    for (const p of PERCENTILES) {
      result[`start p${p}`] = percentile(start, p);
      result[`done p${p}`] = percentile(done, p);
    }
    result['achieved msgs/s'] = (n * 1000) / elapsed;
    result['event-loop delay p99'] = loop.percentile(99) / 1e6;
    result['event-loop delay max'] = loop.max / 1e6;
    return result;
  }

  /** Fires messages `from`…`to − 1` at RATE (not waiting for one to be stored before the next), then waits for all of them. */
  private async phase(from: number, to: number, fire: (seq: number) => Promise<string>): Promise<void> {
    const period = 1000 / RATE;
    const sends: Promise<void>[] = [];
    const t0 = performance.now();
    for (let seq = from; seq < to; seq++) {
      const wait = t0 + (seq - from) * period - performance.now();
      if (wait >= 1) await sleep(wait);
      this.firedAt[seq] = performance.now();
      sends.push(fire(seq).then((jobId) => void (this.jobIdOf[seq] = jobId)));
    }
    await Promise.all(sends);
    const settled = async () => {
      const pending = () => {
        for (let seq = from; seq < to; seq++) {
          if (this.startedAt[seq] === undefined || !this.completedAt.has(this.jobIdOf[seq]!)) return true;
        }
        return false;
      };
      while (pending()) await sleep(10);
    };
    await within(settled(), 120_000, `waiting for deliveries ${from}–${to - 1}`);
  }
}

/** `asyncContext: false`: the listener outside messagio's AsyncLocalStorage (no promise hooks on Node 20). */
function messagioTrial(ctx: BenchContext, asyncContext = true): Trial {
  return {
    key: asyncContext ? 'messagio' : NO_CONTEXT,
    async run() {
      const n = ctx.size(FULL, 100);
      const queueName = ctx.queueName('latency');
      const recorder = new LatencyRecorder();
      const probe = new Probe();
      probe.onStart = (p) => (recorder.startedAt[p.seq] = performance.now());
      const m = await createMessagioApp({
        redis: ctx.redis,
        queueName,
        concurrency: CONCURRENCY,
        validate: true,
        listeners: [OrderPlacedListener],
        probe,
        messagio: { asyncContext },
      });
      try {
        await recorder.listen(ctx.redis, queueName);
        return await recorder.drive(Math.min(250, n), n, async (seq) => {
          const receipt = await m.publisher.fire(new OrderPlaced(orderPayload(seq)));
          return `${receipt.messageId}|${receipt.listeners[0]}`;
        });
      } finally {
        await m.close();
      }
    },
  };
}

/** `shaped`: jobs shaped like messagio deliveries (diagnostic; see messagioShapedJob). */
function rawTrial(ctx: BenchContext, shaped: boolean): Trial {
  return {
    key: shaped ? SHAPED : 'raw',
    async run() {
      const n = ctx.size(FULL, 100);
      const queueName = ctx.queueName('latency-raw');
      const recorder = new LatencyRecorder();
      const queue = rawQueue<unknown>(ctx.redis, queueName);
      const worker = rawWorker<{ seq: number; payload?: { seq: number } }>(ctx.redis, queueName, CONCURRENCY, async (job) => {
        recorder.startedAt[job.data.payload?.seq ?? job.data.seq] = performance.now();
      });
      try {
        await Promise.all([queue.waitUntilReady(), worker.waitUntilReady(), recorder.listen(ctx.redis, queueName)]);
        return await recorder.drive(Math.min(250, n), n, async (seq) => {
          if (shaped) {
            const job = messagioShapedJob(orderPayload(seq), 'bench.order-placed', 'OrderPlacedListener.handle');
            return (await queue.add(job.name, job.data, job.opts)).id!;
          }
          return (await queue.add('bench.order-placed', orderPayload(seq), RAW_JOB_OPTIONS)).id!;
        });
      } finally {
        await worker.close();
        await queue.close();
      }
    },
  };
}

export const latencyScenario: Scenario = {
  id: '5',
  title: `Latency at ${RATE} msgs/s`,
  isolated: true,
  trials: (ctx) => [rawTrial(ctx, false), messagioTrial(ctx), rawTrial(ctx, true), messagioTrial(ctx, false)],
  rows: () => {
    const rows: RowSpec[] = [];
    for (const [what, label] of [
      ['start', 'fire → listener start'],
      ['done', 'fire → job completed'],
    ] as const) {
      for (const p of PERCENTILES) {
        rows.push({
          case: `${label}, concurrency ${CONCURRENCY}, validation on`,
          metric: `p${p}`,
          unit: 'ms',
          higherIsBetter: false,
          subject: { trial: 'messagio', metric: `${what} p${p}`, label: 'messagio' },
          baseline: { trial: 'raw', metric: `${what} p${p}`, label: 'raw' },
          ...(p === 50 ? { target: { kind: 'extra-at-most' as const, value: 0.3, unit: 'ms' } } : {}),
          ...(p === 99 ? { target: { kind: 'extra-at-most' as const, value: 1, unit: 'ms' } } : {}),
        });
      }
    }
    for (const p of [50, 99]) {
      rows.push({
        case: `fire → listener start; baseline: raw jobs shaped like messagio's`,
        metric: `p${p}`,
        unit: 'ms',
        higherIsBetter: false,
        subject: { trial: 'messagio', metric: `start p${p}`, label: 'messagio' },
        baseline: { trial: SHAPED, metric: `start p${p}`, label: 'shaped raw' },
      });
    }
    // What the async context costs on Node 20 (docs/performance.md#what-the-async-context-costs).
    for (const p of PERCENTILES) {
      rows.push({
        case: `fire → listener start, asyncContext: false`,
        metric: `p${p}`,
        unit: 'ms',
        higherIsBetter: false,
        subject: { trial: NO_CONTEXT, metric: `start p${p}`, label: 'messagio' },
        baseline: { trial: 'raw', metric: `start p${p}`, label: 'raw' },
      });
    }
    return rows;
  },
};
