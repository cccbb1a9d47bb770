// 9. Two worker processes vs one on the same backlog. The queue is paused
//    (BullMQ global pause), filled, then 1 or 2 child processes boot a worker
//    (messagio app or raw Worker, concurrency 16 each); once all are ready the
//    queue is resumed. Rate = deliveries / (first start → last end, across processes).
import { createMessagioApp } from '../lib/apps.js';
import { fillRaw, fillWithMessagio } from '../lib/fill.js';
import type { BenchContext, Scenario, Trial } from '../lib/harness.js';
import { OrderPlacedListener, Probe } from '../lib/listeners.js';
import { spawnChild, type ChildHandle } from '../lib/processes.js';
import { rawQueue, rawWorker } from '../lib/raw.js';
import type { RedisTarget } from '../lib/redis.js';
import { perSecond } from '../lib/stats.js';
import { sleep, within } from '../lib/wait.js';

const FULL = 20_000;
const CONCURRENCY = 16;

export interface WorkerTask {
  task: 'worker';
  mode: 'messagio' | 'raw';
  redis: RedisTarget;
  queueName: string;
  concurrency: number;
}

interface Progress {
  type: 'progress' | 'final';
  count: number;
  /** Epoch milliseconds (sub-ms precision), comparable across processes. */
  first: number;
  last: number;
}

const epochNow = () => performance.timeOrigin + performance.now();

/** In the child: consume until told to stop, reporting progress every 50 ms. */
export async function runWorkerTask(task: WorkerTask): Promise<void> {
  const progress: Progress = { type: 'progress', count: 0, first: Number.NaN, last: Number.NaN };
  const onStart = () => {
    if (Number.isNaN(progress.first)) progress.first = epochNow();
  };
  const onDone = () => {
    progress.count++;
    progress.last = epochNow();
  };
  let close: () => Promise<void>;
  if (task.mode === 'messagio') {
    const probe = new Probe();
    probe.onStart = onStart;
    probe.onDone = onDone;
    const m = await createMessagioApp({ redis: task.redis, queueName: task.queueName, concurrency: task.concurrency, validate: true, listeners: [OrderPlacedListener], probe });
    close = () => m.close();
  } else {
    const worker = rawWorker(task.redis, task.queueName, task.concurrency, async () => {
      onStart();
      onDone();
    });
    await worker.waitUntilReady();
    close = () => worker.close();
  }
  const stopped = new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.send?.({ type: 'ready' });
  const timer = setInterval(() => process.send?.(progress), 50);
  await stopped;
  clearInterval(timer);
  await close();
  process.send?.({ ...progress, type: 'final' });
}

function trial(ctx: BenchContext, mode: 'messagio' | 'raw', processes: number): Trial {
  return {
    key: `${mode} ${processes} process${processes > 1 ? 'es' : ''}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const queueName = ctx.queueName(`processes-${mode}`);
      const control = rawQueue(ctx.redis, queueName);
      const children: ChildHandle[] = [];
      try {
        await control.pause();
        if (mode === 'messagio') await fillWithMessagio(ctx.redis, queueName, n);
        else await fillRaw(ctx.redis, queueName, n);
        const latest = new Map<number, Progress>();
        for (let i = 0; i < processes; i++) {
          const child = spawnChild({ task: 'worker', mode, redis: { host: ctx.redis.host, port: ctx.redis.port }, queueName, concurrency: CONCURRENCY });
          child.on<Progress>('progress', (p) => latest.set(i, p));
          children.push(child);
        }
        await within(Promise.all(children.map((c) => c.next('ready'))), 60_000, 'worker processes ready');
        await control.resume();
        const drained = async () => {
          while ([...latest.values()].reduce((sum, p) => sum + p.count, 0) < n) await sleep(20);
        };
        await within(drained(), 300_000, `draining ${n} deliveries with ${processes} process(es)`);
        const finals = children.map((c) => c.next<Progress>('final'));
        for (const c of children) c.send({ type: 'stop' });
        const results = await within(Promise.all(finals), 60_000, 'worker processes stopping');
        await Promise.all(children.map((c) => c.exited));
        const count = results.reduce((sum, p) => sum + p.count, 0);
        const first = Math.min(...results.map((p) => p.first).filter((t) => !Number.isNaN(t)));
        const last = Math.max(...results.map((p) => p.last).filter((t) => !Number.isNaN(t)));
        return { 'deliveries/s': perSecond(count - 1, last - first), 'busiest process share': Math.max(...results.map((p) => p.count)) / count };
      } finally {
        for (const c of children) if (c.process.exitCode === null) c.process.kill();
        await control.close();
      }
    },
  };
}

export const workerProcessesScenario: Scenario = {
  id: '9',
  title: 'Worker processes: two vs one',
  trials: (ctx) => [trial(ctx, 'raw', 1), trial(ctx, 'messagio', 1), trial(ctx, 'raw', 2), trial(ctx, 'messagio', 2)],
  rows: (ctx) => {
    const backlog = ctx.size(FULL, 500).toLocaleString('en-US');
    return [
      ...[1, 2].map((k) => ({
        case: `${backlog} deliveries, ${k} process${k > 1 ? 'es' : ''} × concurrency ${CONCURRENCY}, validation on`,
        metric: 'throughput',
        unit: 'deliveries/s',
        higherIsBetter: true,
        subject: { trial: `messagio ${k} process${k > 1 ? 'es' : ''}`, metric: 'deliveries/s', label: 'messagio' },
        baseline: { trial: `raw ${k} process${k > 1 ? 'es' : ''}`, metric: 'deliveries/s', label: 'raw' },
      })),
      ...(['messagio', 'raw'] as const).map((mode) => ({
        case: `${mode}: 2 processes vs 1`,
        metric: 'throughput',
        unit: 'deliveries/s',
        higherIsBetter: true,
        subject: { trial: `${mode} 2 processes`, metric: 'deliveries/s', label: '2 processes' },
        baseline: { trial: `${mode} 1 process`, metric: 'deliveries/s', label: '1 process' },
      })),
    ];
  },
};
