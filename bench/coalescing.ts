// Would coalescing concurrent stores help (issue 14, point 2)? 64 callers
// each awaiting an add in a loop, the way scenario 12 fires, on plain BullMQ:
// `add` (every caller's add goes out at once; ioredis writes each command as
// it comes), `coalesced` (adds that arrive while a store is in flight wait,
// then go together in one addBulk: one pipeline, one write), and `auto-
// pipelined` (ioredis enableAutoPipelining: the commands of one tick share a
// write). Rate and this process's CPU per job; interleaved repeats, medians
// (min–max).
//   npm run bench:build && node .tmp/bench/bench/coalescing.js [--repeats 6] [--jobs 20000]
import 'reflect-metadata';
import { Queue, type JobsOptions } from 'bullmq';
import { startRedisServer } from '../lib/testing/index.js';
import { orderPayload, type OrderPayload } from './lib/messages.js';
import { RAW_JOB_OPTIONS } from './lib/raw.js';
import { max, median, min } from './lib/stats.js';

const PRODUCERS = 64;

interface Waiting {
  job: { name: string; data: OrderPayload; opts: JobsOptions };
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One store in flight at a time; what arrives meanwhile goes in the next addBulk. */
function coalescer(queue: Queue<OrderPayload>): (seq: number) => Promise<void> {
  let waiting: Waiting[] = [];
  let storing = false;
  const flush = () => {
    const batch = waiting;
    waiting = [];
    storing = true;
    queue
      .addBulk(batch.map((w) => w.job))
      .then(
        () => batch.forEach((w) => w.resolve()),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        storing = false;
        if (waiting.length > 0) flush();
      });
  };
  return (seq) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ job: { name: 'bench.order-placed', data: orderPayload(seq), opts: RAW_JOB_OPTIONS }, resolve, reject });
      if (!storing) {
        storing = true;
        queueMicrotask(flush);
      }
    });
}

async function produce(n: number, send: (seq: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < n) await send(next++);
  };
  await Promise.all(Array.from({ length: PRODUCERS }, loop));
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const repeats = option('--repeats', 6);
  const jobs = option('--jobs', 20_000);
  const server = await startRedisServer();
  const connection = { host: '127.0.0.1', port: server.port };
  const variants: Record<string, (queue: Queue<OrderPayload>) => (seq: number) => Promise<unknown>> = {
    add: (queue) => (seq) => queue.add('bench.order-placed', orderPayload(seq), RAW_JOB_OPTIONS),
    coalesced: coalescer,
    'auto-pipelined': (queue) => (seq) => queue.add('bench.order-placed', orderPayload(seq), RAW_JOB_OPTIONS),
  };
  const rate = new Map<string, number[]>();
  const cpuUs = new Map<string, number[]>();
  try {
    for (let rep = 0; rep < repeats; rep++) {
      const names = Object.keys(variants);
      for (const name of rep % 2 === 0 ? names : names.reverse()) {
        const queue = new Queue<OrderPayload>(`coalescing-${rep}-${name}`, {
          connection: name === 'auto-pipelined' ? { ...connection, enableAutoPipelining: true } : connection,
        });
        await queue.waitUntilReady();
        const send = variants[name]!(queue);
        await produce(PRODUCERS * 10, send); // warm-up
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await produce(jobs, send);
        const elapsed = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        rate.set(name, [...(rate.get(name) ?? []), (jobs / elapsed) * 1000]);
        cpuUs.set(name, [...(cpuUs.get(name) ?? []), (cpu.user + cpu.system) / jobs]);
        await queue.obliterate({ force: true });
        await queue.close();
      }
    }
  } finally {
    await server.stop();
  }
  const show = (values: number[], digits: number) => `${median(values).toFixed(digits)} (${min(values).toFixed(digits)}–${max(values).toFixed(digits)})`;
  console.log(`${PRODUCERS} callers, ${jobs} jobs per trial, ${repeats} repeats, medians (min–max)\n`);
  console.log('| stores | jobs/s | Node CPU µs per job |');
  console.log('| --- | --- | --- |');
  for (const name of Object.keys(variants)) console.log(`| ${name} | ${show(rate.get(name)!, 0)} | ${show(cpuUs.get(name)!, 1)} |`);
}

await main();
