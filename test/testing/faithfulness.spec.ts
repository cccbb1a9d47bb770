import { Test, type TestingModule } from '@nestjs/testing';
import {
  MESSAGIO_TRANSPORT,
  MessagioModule,
  MessagioPublisher,
  type MessagioFiredEvent,
  type MessagioReceipt,
  type MessagioTransport,
} from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';
import { queueOf } from '../support/jobs.js';
import { postgresConnection } from '../support/postgres.js';
import { redisConnection, uniqueQueue } from '../support/redis.js';
import { CallLog, SCENARIOS, type Outcome, type Scenario } from './scenarios.js';

// Proof that the harness is faithful: every scenario runs on the harness
// (MessagioTestingModule, virtual clock, no Redis) and on the real BullMQ
// transport, over the redis-server of Jest's global setup and over its
// PostgreSQL (BullMQ's PostgreSQL backend), and each run must give the
// scenario's expected outcome — so all give the same one.

function line(type: string, listener: string, status: string, attempts: number, error: string | undefined): string {
  return `${type} ${listener}: ${status} after ${attempts}${status === 'failed' && error ? ` — ${error}` : ''}`;
}

function finish(scenario: Scenario, log: CallLog, rejected: string | null, deliveries: string[], causes: string[]): Outcome {
  return {
    rejected,
    calls: scenario.ordered ? [...log.calls] : [...log.calls].sort(),
    deliveries: deliveries.sort(),
    causes: causes.sort(),
    faults: [...log.faults].sort(),
  };
}

async function act(scenario: Scenario, app: TestingModule): Promise<string | null> {
  return scenario.act(app.get(MessagioPublisher)).then(
    () => null,
    (error: unknown) => (error as Error).name,
  );
}

/** On the harness: fire, drain(), and read what the harness recorded. */
async function onHarness(scenario: Scenario): Promise<Outcome> {
  const app = await Test.createTestingModule({
    imports: [MessagioTestingModule.forRoot()],
    providers: [CallLog, ...scenario.providers],
  }).compile();
  await app.init();
  try {
    const harness = app.get(MessagioTestHarness);
    const rejected = await act(scenario, app);
    await harness.drain();
    const deliveries = harness
      .deliveries()
      .map((d) => line(d.type, d.listener, d.status, d.attempts.length, d.error && `${d.error.name}: ${d.error.message}`));
    const fired = harness.fired();
    const causes = fired
      .filter((r) => r.causationId !== null)
      .map((r) => `${fired.find((p) => p.messageId === r.causationId)?.type ?? '?'} → ${r.type}`);
    return finish(scenario, app.get(CallLog), rejected, deliveries, causes);
  } finally {
    await app.close();
  }
}

/** On BullMQ (over Redis or PostgreSQL): fire with the worker paused, resume, wait for every delivery, and read the jobs stored. */
async function onBullMq(scenario: Scenario, backend: 'redis' | 'postgres'): Promise<Outcome> {
  const fired: Array<{ type: string; receipt: MessagioReceipt; causationId: string | null }> = [];
  const observer = {
    fired: (event: MessagioFiredEvent) => {
      fired.push({
        type: event.type,
        receipt: event.receipt as MessagioReceipt,
        causationId: event.envelopes[0]?.causationId ?? null,
      });
    },
  };
  const app = await Test.createTestingModule({
    imports: [
      MessagioModule.forRoot({
        ...(backend === 'redis' ? { connection: redisConnection() } : { backend: { postgres: postgresConnection() } }),
        queueName: uniqueQueue('faithful'),
        observers: [observer],
      }),
    ],
    providers: [CallLog, ...scenario.providers],
  }).compile();
  await app.init();
  try {
    const transport = app.get<MessagioTransport>(MESSAGIO_TRANSPORT);
    await transport.pause!();
    const rejected = await act(scenario, app);
    await transport.resume!();
    // Wait for every message, including those fired meanwhile (cascades, faults).
    for (let waited = 0; waited < fired.length; waited++) {
      await fired[waited]!.receipt.wait({ timeout: 15_000 });
    }
    const queue = queueOf(app);
    const deliveries = new Map<string, string>();
    for (const { type, receipt } of fired) {
      for (const listener of receipt.listeners) {
        // A deduplicated fire stored nothing of its own: it is the message it was merged into.
        const id = `${receipt.mergedInto ?? receipt.messageId}|${listener}`;
        const job = (await queue.getJob(id))!;
        const state = await job.getState();
        deliveries.set(id, line(type, listener, state, job.attemptsStarted, job.failedReason));
      }
    }
    const seen = new Map<string, string>();
    for (const f of fired) seen.set(f.receipt.messageId, f.type);
    const causes = [...new Map(fired.map((f) => [f.receipt.messageId, f])).values()]
      .filter((f) => f.causationId !== null)
      .map((f) => `${seen.get(f.causationId!) ?? '?'} → ${f.type}`);
    return finish(scenario, app.get(CallLog), rejected, [...deliveries.values()], causes);
  } finally {
    await app.close();
  }
}

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
  it('gives the expected outcome on the harness, and on BullMQ over redis-server and over PostgreSQL', async () => {
    const harness = await onHarness(scenario);
    const bullmq = await onBullMq(scenario, 'redis');
    const postgres = await onBullMq(scenario, 'postgres');
    expect({ transport: 'harness', ...harness }).toEqual({ transport: 'harness', ...scenario.expected });
    expect({ transport: 'bullmq', ...bullmq }).toEqual({ transport: 'bullmq', ...scenario.expected });
    expect({ transport: 'bullmq on postgres', ...postgres }).toEqual({ transport: 'bullmq on postgres', ...scenario.expected });
  });
});
