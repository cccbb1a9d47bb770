// In a child process: one trial of an isolated scenario, run as the parent
// would run it (same arguments, same servers), on a context rebuilt here.
import { benchContext, type TrialResult, type TrialTask } from './harness.js';
import { BenchRedis } from './redis.js';

export async function runTrialTask(task: TrialTask): Promise<TrialResult> {
  // Imported here, not at the top: the memory and worker children stay lean (their RSS is measured).
  const { SCENARIOS } = await import('../scenarios/index.js');
  const scenario = SCENARIOS.find((s) => s.id === task.scenario);
  if (!scenario) throw new Error(`no scenario ${task.scenario}`);
  const redis = await BenchRedis.attach(task.redis);
  const ctx = benchContext(task.args, redis, task.postgres, task.queuePrefix);

  try {
    const trial = scenario.trials(ctx).find((t) => t.key === task.key);
    if (!trial) throw new Error(`no trial "${task.key}" in scenario ${task.scenario}`);
    return await trial.run();
  } finally {
    await redis.stop();
  }
}
