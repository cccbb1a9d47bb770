// What each part of a delivery's BullMQ job costs Redis (issue 14, point 3):
// jobs of each shape added one at a time, awaited, on a private redis-server,
// and Redis's own time per add script read from INFO commandstats
// (usec_per_call of evalsha, reset before each trial), with this process's
// CPU per add beside it. Shapes are interleaved (the order reverses every
// repeat); medians (min–max) over the repeats.
//   npm run bench:build && node .tmp/bench/bench/job-format.js [--repeats 10] [--adds 5000]
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer } from '../lib/testing/index.js';
import { orderPayload } from './lib/messages.js';
import { RAW_JOB_OPTIONS } from './lib/raw.js';
import { max, median, min } from './lib/stats.js';

const TYPE = 'bench.order-placed';
const LISTENER = 'OrderPlacedListener.handle';

type Job = [name: string, data: unknown, opts: JobsOptions];

/** The envelope as stored today: type, id and listener repeat the job's name and id. */
function envelope(seq: number, id: string): Record<string, unknown> {
  return { v: 1, type: TYPE, id, traceId: randomUUID(), causationId: null, firedAt: new Date().toISOString(), listener: LISTENER, payload: orderPayload(seq) };
}

/** The envelope without what the job already holds (name = type, id = messageId|listener). */
function leanEnvelope(seq: number): Record<string, unknown> {
  return { v: 1, traceId: randomUUID(), causationId: null, firedAt: new Date().toISOString(), payload: orderPayload(seq) };
}

const SHAPES: Record<string, (seq: number) => Job> = {
  'payload, BullMQ id (raw)': (seq) => [TYPE, orderPayload(seq), RAW_JOB_OPTIONS],
  'payload, BullMQ id, no retention': (seq) => [TYPE, orderPayload(seq), {}],
  'payload, job id messageId|listener': (seq) => [TYPE, orderPayload(seq), { ...RAW_JOB_OPTIONS, jobId: `${randomUUID()}|${LISTENER}` }],
  'envelope, BullMQ id': (seq) => [TYPE, envelope(seq, randomUUID()), RAW_JOB_OPTIONS],
  'envelope, job id messageId|listener (messagio)': (seq) => {
    const id = randomUUID();
    return [TYPE, envelope(seq, id), { ...RAW_JOB_OPTIONS, jobId: `${id}|${LISTENER}` }];
  },
  'lean envelope, job id messageId|listener': (seq) => [TYPE, leanEnvelope(seq), { ...RAW_JOB_OPTIONS, jobId: `${randomUUID()}|${LISTENER}` }],
  'lean envelope, job id messageId': (seq) => [TYPE, leanEnvelope(seq), { ...RAW_JOB_OPTIONS, jobId: randomUUID() }],
  'envelope, job id messageId|listener, priority': (seq) => {
    const id = randomUUID();
    return [TYPE, envelope(seq, id), { ...RAW_JOB_OPTIONS, jobId: `${id}|${LISTENER}`, priority: 5 }];
  },
};

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const repeats = option('--repeats', 10);
  const adds = option('--adds', 5000);
  const server = await startRedisServer();
  const connection = { host: '127.0.0.1', port: server.port };
  const admin = new Redis(connection);
  const redisUs = new Map<string, number[]>();
  const nodeUs = new Map<string, number[]>();
  try {
    for (let rep = 0; rep < repeats; rep++) {
      const shapes = Object.entries(SHAPES);
      for (const [shape, make] of rep % 2 === 0 ? shapes : shapes.reverse()) {
        const queue = new Queue(`format-${rep}-${shapes.findIndex(([s]) => s === shape)}`, { connection });
        await queue.waitUntilReady();
        for (let i = 0; i < 200; i++) await queue.add(...make(i)); // warm-up
        await admin.config('RESETSTAT');
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < adds; i++) await queue.add(...make(i));
        const cpu = process.cpuUsage(cpu0);
        const stats = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await admin.info('commandstats'));
        redisUs.set(shape, [...(redisUs.get(shape) ?? []), Number(stats?.[2]) / Number(stats?.[1])]);
        nodeUs.set(shape, [...(nodeUs.get(shape) ?? []), (cpu.user + cpu.system) / adds]);
        await queue.obliterate({ force: true });
        await queue.close();
      }
    }
  } finally {
    await admin.quit();
    await server.stop();
  }
  const show = (values: number[]) => `${median(values).toFixed(1)} (${min(values).toFixed(1)}–${max(values).toFixed(1)})`;
  console.log(`${adds} awaited adds per trial, ${repeats} repeats, medians (min–max)\n`);
  console.log('| job | Redis µs per add (evalsha) | Node CPU µs per add |');
  console.log('| --- | --- | --- |');
  for (const shape of Object.keys(SHAPES)) console.log(`| ${shape.replaceAll('|', '\\|')} | ${show(redisUs.get(shape)!)} | ${show(nodeUs.get(shape)!)} |`);
}

await main();
