// In a child process: one trial of an isolated scenario, run as the parent
// would run it (same arguments, same servers), on a context rebuilt here.
import type { BenchContext, TrialResult, TrialTask } from './harness.js';
import { BenchRedis } from './redis.js';

export async function runTrialTask(task: TrialTask): Promise<TrialResult> {
  // Imported here, not at the top: the memory and worker children stay lean (their RSS is measured).
  const { SCENARIOS } = await import('../scenarios/index.js');
  const scenario = SCENARIOS.find((s) => s.id === task.scenario);
  if (!scenario) throw new Error(`no scenario ${task.scenario}`);
  const redis = await BenchRedis.attach(task.redis);
  let run = 0;
  const ctx: BenchContext = {
    args: task.args,
    redis,
    ...(task.postgres ? { postgres: task.postgres } : {}),
    size: (full, floor = 1) => Math.max(floor, Math.round(full * task.args.scale)),
    queueName: (tag) => `${task.queuePrefix}-${tag.replace(/[^a-z0-9]+/gi, '-')}-${++run}`,
    log: (line) => console.log(line),
  };
  try {
    const trial = scenario.trials(ctx).find((t) => t.key === task.key);
    if (!trial) throw new Error(`no trial "${task.key}" in scenario ${task.scenario}`);
    return await trial.run();
  } finally {
    await redis.stop();
  }
}
