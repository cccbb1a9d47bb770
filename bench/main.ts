// `npm run bench`: nestjs-messagio against hand-written BullMQ (and
// @nestjs/event-emitter for the in-process paths), side by side in one run, on
// a private redis-server (and, for scenario 11, a private PostgreSQL). See bench/README.md.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseBenchArgs, USAGE, type BenchArgs } from './lib/args.js';
import { benchContext, runScenario, type RowResult, type TrialSamples } from './lib/harness.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { payloadBytes } from './lib/messages.js';
import { BenchRedis } from './lib/redis.js';
import { renderTable, renderVerdicts } from './lib/table.js';
import { startPostgresServer, type PostgresServerHandle } from '../lib/testing/index.js';
import { SCENARIOS } from './scenarios/index.js';

async function main(args: BenchArgs): Promise<number> {
  const unknown = args.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`No scenario ${unknown.join(', ')} (there are 1–${SCENARIOS.length}).`);
  const selected = SCENARIOS.filter((s) => args.only.length === 0 || args.only.includes(s.id));
  const redis = await BenchRedis.start();
  let postgres: PostgresServerHandle | undefined;
  const stopServers = () => Promise.all([redis.stop(), postgres?.stop()]);
  // Ctrl-C (or a CI timeout) must not leave the private servers behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the benchmark's servers`);
      void stopServers().finally(() => process.exit(130));
    });
  }
  if (selected.some((s) => s.needsPostgres)) postgres = await startPostgresServer();
  const machine = machineInfo(await redis.version());
  const started = new Date();
  console.log(`nestjs-messagio benchmark — ${describeMachine(machine)}`);
  console.log(
    `redis-server on 127.0.0.1:${redis.port}${postgres ? `, PostgreSQL on ${postgres.port} (fsync off, as Redis runs without persistence)` : ''}; ` +
      `repeats ${args.repeats}, scale ${args.scale}; payload ${payloadBytes()} bytes of JSON` +
      `${args.variants.length ? `; trials: ${args.variants.join(', ')}` : ''}\n`,
  );
  const ctx = benchContext(args, redis, postgres?.url);

  const rows: RowResult[] = [];
  const trials: Record<string, TrialSamples> = {};
  try {
    for (const scenario of selected) {
      console.log(`${scenario.id}. ${scenario.title}`);
      const result = await runScenario(scenario, ctx);
      rows.push(...result.rows);
      trials[scenario.id] = result.samples;
    }
  } finally {
    await stopServers();
  }
  const seconds = Math.round((Date.now() - started.getTime()) / 1000);
  const table = renderTable(rows);
  const verdicts = renderVerdicts(rows);
  console.log(`\n${describeMachine(machine)}; repeats ${args.repeats}, scale ${args.scale}, ${seconds} s\n`);
  console.log(table);
  console.log(`\n${verdicts}`);
  if (args.quick || args.scale < 1 || args.repeats < 5) {
    console.log('(Sizes or repeats below the full run: a smoke test, the verdicts above say little.)');
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(
    args.out,
    `${JSON.stringify({ date: started.toISOString(), seconds, machine, args, payloadBytes: payloadBytes(), rows, table, verdicts, trials }, null, 2)}\n`,
  );
  console.log(`\nResults: ${args.out}`);
  return 0;
}

let args: BenchArgs | undefined;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (!args) {
  console.log(USAGE);
} else {
  try {
    process.exitCode = await main(args);
  } catch (error) {
    console.error(`Benchmark failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
}
