// Scenarios, trials and rows, and the runner that interleaves trials across
// repeats so that messagio and its baseline see the same machine state.
import type { BenchArgs } from './args.js';
import { spawnChild } from './processes.js';
import type { BenchRedis } from './redis.js';
import { max, median, min } from './stats.js';

/** Metric name → value, as measured by one run of a trial. */
export type TrialResult = Record<string, number>;

/**
 * One thing measured per repeat. Keys start with what runs: `messagio …`,
 * `raw …`, `event-emitter …` (what `--variant` filters on).
 */
export interface Trial {
  key: string;
  run(): Promise<TrialResult>;
}

export type Target =
  | { kind: 'ratio-at-least'; value: number } // median(subject) / median(baseline) ≥ value
  | { kind: 'extra-at-most'; value: number; unit: string } // median(subject) − median(baseline) ≤ value
  | { kind: 'at-least'; value: number; unit: string } // median(subject) ≥ value
  | { kind: 'at-most'; value: number; unit: string }; // median(subject) ≤ value (every repeat for "flat")

export interface Series {
  trial: string;
  metric: string;
  /** Shown in the table: `messagio`, `raw`, `event-emitter`, `1 process`... */
  label: string;
}

/** One line of the table: a metric of a trial, against the same metric of a baseline trial. */
export interface RowSpec {
  case: string;
  metric: string;
  unit: string;
  subject: Series;
  baseline?: Series;
  target?: Target;
  /** The target is judged on the worst repeat instead of the median (memory: every run must be flat). */
  worstCase?: boolean;
  higherIsBetter: boolean;
}

export interface BenchContext {
  args: BenchArgs;
  redis: BenchRedis;
  /** URL of the benchmark's PostgreSQL, when a scenario that needs it runs. */
  postgres?: string;
  /** A size scaled by `--scale`, never below `floor`. */
  size(full: number, floor?: number): number;
  /** A queue name of its own for one trial run. */
  queueName(tag: string): string;
  log(line: string): void;
}

export interface Scenario {
  id: string;
  title: string;
  /**
   * Each trial runs in a fresh Node process (bench/README.md § Isolation): once
   * a messagio listener ran, Node 20's promise hooks stay on for the rest of
   * its process (messagio's AsyncLocalStorage), and would tax every trial after
   * it, the baselines' included.
   */
  isolated?: boolean;
  /** Runs against a private PostgreSQL as well (started only when such a scenario runs). */
  needsPostgres?: boolean;
  trials(ctx: BenchContext): Trial[];
  rows(ctx: BenchContext): RowSpec[];
  /** Stops what the scenario started for its trials (a server of its own), once they all ran. */
  close?(): Promise<void>;
}

export interface Summary {
  values: number[];
  median: number;
  min: number;
  max: number;
}

export interface RowResult {
  scenario: string;
  title: string;
  case: string;
  metric: string;
  unit: string;
  higherIsBetter: boolean;
  subject: Summary & { label: string };
  baseline?: Summary & { label: string };
  ratio?: number;
  extra?: number;
  target?: Target;
  verdict?: { met: boolean; judged: number };
}

/** Every value measured: trial key → metric → one value per repeat (kept in the JSON results). */
export type TrialSamples = Record<string, Record<string, number[]>>;

/** Runs a scenario's trials (see `measure`), then its `close()`, whatever happened. */
export async function runScenario(scenario: Scenario, ctx: BenchContext): Promise<{ rows: RowResult[]; samples: TrialSamples }> {
  try {
    return await measure(scenario, ctx);
  } finally {
    await scenario.close?.();
  }
}

/** Runs every selected trial `repeats` times, alternating their order from one repeat to the next. */
async function measure(scenario: Scenario, ctx: BenchContext): Promise<{ rows: RowResult[]; samples: TrialSamples }> {
  const selected = (key: string) => ctx.args.variants.length === 0 || ctx.args.variants.some((v) => key.startsWith(v));
  const trials = scenario.trials(ctx).filter((t) => selected(t.key));
  const samples = new Map<string, Map<string, number[]>>();
  for (let rep = 0; rep < ctx.args.repeats; rep++) {
    const order = rep % 2 === 0 ? trials : [...trials].reverse();
    for (const trial of order) {
      const started = performance.now();
      const result = scenario.isolated && !ctx.args.inProcess ? await runIsolated(scenario, trial, ctx) : await trial.run();
      await ctx.redis.flush();
      (globalThis as { gc?: () => void }).gc?.();
      const byMetric = samples.get(trial.key) ?? new Map<string, number[]>();
      samples.set(trial.key, byMetric);
      for (const [metric, value] of Object.entries(result)) byMetric.set(metric, [...(byMetric.get(metric) ?? []), value]);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      ctx.log(`  ${scenario.id}. rep ${rep + 1}/${ctx.args.repeats} ${trial.key}: ${brief(result)} (${seconds} s)`);
    }
  }
  const rows: RowResult[] = [];
  for (const spec of scenario.rows(ctx)) {
    const subject = summarise(samples.get(spec.subject.trial)?.get(spec.subject.metric));
    if (!subject) continue;
    const baseline = spec.baseline ? summarise(samples.get(spec.baseline.trial)?.get(spec.baseline.metric)) : undefined;
    const row: RowResult = {
      scenario: scenario.id,
      title: scenario.title,
      case: spec.case,
      metric: spec.metric,
      unit: spec.unit,
      higherIsBetter: spec.higherIsBetter,
      subject: { ...subject, label: spec.subject.label },
      ...(baseline && spec.baseline ? { baseline: { ...baseline, label: spec.baseline.label } } : {}),
    };
    if (baseline && spec.unit !== '%') {
      row.ratio = subject.median / baseline.median;
      row.extra = subject.median - baseline.median;
    }
    if (spec.target) {
      row.target = spec.target;
      row.verdict = judge(spec.target, subject, baseline, spec.worstCase ?? false, spec.higherIsBetter);
    }
    rows.push(row);
  }
  const all: TrialSamples = {};
  for (const [trial, byMetric] of samples) all[trial] = Object.fromEntries(byMetric);
  return { rows, samples: all };
}

function judge(target: Target, subject: Summary, baseline: Summary | undefined, worstCase: boolean, higherIsBetter: boolean) {
  const value = worstCase ? (higherIsBetter ? subject.min : subject.max) : subject.median;
  switch (target.kind) {
    case 'ratio-at-least': {
      if (!baseline) return undefined;
      const ratio = value / baseline.median;
      return { met: ratio >= target.value, judged: ratio };
    }
    case 'extra-at-most': {
      if (!baseline) return undefined;
      const extra = value - baseline.median;
      return { met: extra <= target.value, judged: extra };
    }
    case 'at-least':
      return { met: value >= target.value, judged: value };
    case 'at-most':
      return { met: value <= target.value, judged: value };
  }
}

function summarise(values: number[] | undefined): Summary | undefined {
  if (!values || values.length === 0) return undefined;
  return { values, median: median(values), min: min(values), max: max(values) };
}

function brief(result: TrialResult): string {
  return Object.entries(result)
    .slice(0, 4)
    .map(([k, v]) => `${k}=${Number.isInteger(v) || Math.abs(v) >= 100 ? Math.round(v) : v.toFixed(2)}`)
    .join(' ');
}

/**
 * Diagnostic row: messagio against raw BullMQ jobs shaped like its deliveries
 * (trial `raw messagio-shaped`), i.e. the cost of messagio's own code alone.
 */
export function shapedRow(what: string, subjectTrial: string, metric: string): RowSpec {
  return {
    case: `${what}; baseline: raw jobs shaped like messagio's`,
    metric: 'throughput',
    unit: metric,
    higherIsBetter: true,
    subject: { trial: subjectTrial, metric, label: 'messagio' },
    baseline: { trial: 'raw messagio-shaped', metric, label: 'shaped raw' },
  };
}

/**
 * The context trials run in: the same in the main process and in a child
 * running one trial of an isolated scenario (`queuePrefix` keeps queue names
 * unique across processes).
 */
export function benchContext(args: BenchArgs, redis: BenchRedis, postgres: string | undefined, queuePrefix = 'bench'): BenchContext {
  let run = 0;
  return {
    args,
    redis,
    ...(postgres ? { postgres } : {}),
    size: (full, floor = 1) => Math.max(floor, Math.round(full * args.scale)),
    queueName: (tag) => `${queuePrefix}-${tag.replace(/[^a-z0-9]+/gi, '-')}-${++run}`,
    log: (line) => console.log(line),
  };
}

/** What a child process needs to run one trial of an isolated scenario as the parent would. */
export interface TrialTask {
  task: 'trial';
  scenario: string;
  key: string;
  args: BenchArgs;
  redis: { host: string; port: number };
  postgres?: string;
  /** Prefix of the child's queue names (unique in the run). */
  queuePrefix: string;
}

/** Runs `trial` in a fresh Node process (the same scenario, rebuilt there) and returns what it measured. */
async function runIsolated(scenario: Scenario, trial: Trial, ctx: BenchContext): Promise<TrialResult> {
  const task: TrialTask = {
    task: 'trial',
    scenario: scenario.id,
    key: trial.key,
    args: ctx.args,
    redis: { host: ctx.redis.host, port: ctx.redis.port },
    ...(ctx.postgres ? { postgres: ctx.postgres } : {}),
    queuePrefix: ctx.queueName(`isolated-${scenario.id}`),
  };
  const child = spawnChild(task, ['--expose-gc']);
  try {
    const { result } = await child.next<{ type: 'result'; result: TrialResult }>('result');
    // A child that measured but lingers (a handle left open) is not waited for long.
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    return result;
  } finally {
    if (child.process.exitCode === null) child.process.kill();
  }
}
