// Entry point of the benchmark's child processes: runs one task of a scenario
// (or one trial of an isolated scenario) in a fresh Node process (its own RSS,
// its own CPU, no promise hooks left on by other trials) and talks to the parent
// over IPC. Started by spawnChild(); never run by hand.
import 'reflect-metadata';
import { runMemoryTask, type MemoryTask } from '../scenarios/08-memory.js';
import { runWorkerTask, type WorkerTask } from '../scenarios/09-worker-processes.js';
import type { TrialTask } from './harness.js';
import { runTrialTask } from './trial-task.js';

export type ChildTask = MemoryTask | WorkerTask | TrialTask;

const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
let finished = false;
// The parent went away (killed, Ctrl-C): do not linger as an orphan worker.
process.once('disconnect', () => {
  if (!finished) process.exit(1);
});
try {
  if (task.task === 'memory') await runMemoryTask(task);
  else if (task.task === 'worker') await runWorkerTask(task);
  else if (task.task === 'trial') process.send?.({ type: 'result', result: await runTrialTask(task) });
  else throw new Error(`unknown child task ${JSON.stringify(task)}`);
} catch (error) {
  process.send?.({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
}
finished = true;
process.disconnect?.();
