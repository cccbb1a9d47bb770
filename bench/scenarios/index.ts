// Every scenario of `npm run bench`, in the order a full run takes them.
import type { Scenario } from '../lib/harness.js';
import { fireScenario } from './01-fire.js';
import { fireManyScenario } from './02-fire-many.js';
import { drainScenario } from './03-drain.js';
import { fanOutScenario } from './04-fan-out.js';
import { latencyScenario } from './05-latency.js';
import { inProcessScenario } from './06-in-process.js';
import { bootstrapScenario } from './07-bootstrap.js';
import { memoryScenario } from './08-memory.js';
import { workerProcessesScenario } from './09-worker-processes.js';
import { validationScenario } from './10-validation.js';
import { postgresScenario } from './11-postgres.js';
import { concurrentProducersScenario } from './12-concurrent-producers.js';
import { outboxScenario } from './13-outbox.js';

export const SCENARIOS: Scenario[] = [
  fireScenario,
  fireManyScenario,
  drainScenario,
  fanOutScenario,
  latencyScenario,
  inProcessScenario,
  bootstrapScenario,
  memoryScenario,
  workerProcessesScenario,
  validationScenario,
  postgresScenario,
  concurrentProducersScenario,
  outboxScenario,
];
