import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { MessagioFault, OnMessagio, type Delivery, type MessagioEnvelope } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction, TimeoutError } from './fixtures/messages.js';
import { TRANSPORTS, transportOf } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { eventually } from '../support/redis.js';

@Injectable()
class Flaky {
  @OnMessagio(PerformAction, { id: 'flaky', retryOn: [TimeoutError], maxRetries: 1, retryDelay: 5 })
  flaky(msg: PerformAction) {
    throw new TimeoutError(`gave up on ${msg.actionName}`);
  }
}

@Injectable()
class Faults {
  static seen: MessagioFault[] = [];
  @OnMessagio(MessagioFault, { id: 'faults' }) onFault(fault: MessagioFault) {
    Faults.seen.push(fault);
  }
}

// What an attacker with write access to the queue, or a traceId taken from a
// request header by an older version, could leave in stored job data.
const FORGED = '\n[Nest] 1  - 01/01/2026, 0:00:00 AM     LOG [Auth] admin logged in';

const envelope = (over: Partial<MessagioEnvelope>): MessagioEnvelope => ({
  v: 1,
  type: 'orders.perform-action',
  id: `stored-${Math.random().toString(36).slice(2)}`,
  traceId: `trace${FORGED}`,
  causationId: null,
  firedAt: new Date().toISOString(),
  listener: 'flaky',
  payload: { actionName: `order${FORGED}`, objId: 1 },
  ...over,
});

/** Stores raw envelopes the way a producer would, bypassing fire()'s checks. */
async function store(app: TestingModule, transport: string, envelopes: MessagioEnvelope[]): Promise<void> {
  if (transport === 'bullmq') {
    for (const e of envelopes) await queueOf(app).add(e.type, e, { jobId: `${e.id}|x`, attempts: 2, backoff: { type: 'fixed', delay: 5 } });
    return;
  }
  const deliveries: Delivery[] = envelopes.map((e) => ({
    id: `${e.id}|x`,
    envelope: e,
    priority: 5,
    attempts: 2,
    backoff: { type: 'fixed', delay: 5 },
    delay: 0,
  }));
  await transportOf(app).enqueue(deliveries);
}

describe.each(TRANSPORTS)('log lines from stored data (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('a line break in a stored traceId, listener or payload never starts a new log line', async () => {
    const error = jest.spyOn(Logger.prototype, 'error');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      app = await createApp({ transport, providers: [Flaky] });
      const failing = envelope({});
      const ghost = envelope({ listener: `ghost${FORGED}` });
      await store(app, transport, [failing, ghost]);
      const lines = () =>
        [...error.mock.calls, ...warn.mock.calls].map((c) => String(c[0])).filter((l) => l.includes(failing.id) || l.includes(ghost.id));
      // A retry warning and a failure for the flaky listener, a rejection for the unknown one.
      await eventually(() => lines().length >= 3, 10_000, 'three log lines');

      expect(lines()).toHaveLength(3);
      for (const line of lines()) {
        expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
        expect(line).toContain('\\n[Nest] 1  - 01/01/2026');
      }
      expect(lines().find((l) => l.startsWith('flaky failed on'))).toContain(`traceId=trace\\n[Nest] 1  - 01/01/2026, 0:00:00 AM     LOG [Auth] admin logged in`);
      expect(lines().find((l) => l.startsWith('flaky failed for good'))).toContain('TimeoutError: gave up on order\\n[Nest]');
      expect(lines().find((l) => l.startsWith('Rejected undeliverable delivery'))).toContain(`listener=ghost\\n[Nest]`);
    } finally {
      error.mockRestore();
      warn.mockRestore();
    }
  });

  it('a delivery whose stored traceId breaks the rules for fire() options still gets its MessagioFault', async () => {
    Faults.seen = [];
    app = await createApp({ transport, providers: [Flaky, Faults] });
    const failing = envelope({});
    await store(app, transport, [failing]);
    await eventually(() => Faults.seen.length === 1, 10_000, 'the fault');
    expect([Faults.seen[0]!.messageId, Faults.seen[0]!.listener, Faults.seen[0]!.traceId]).toEqual([failing.id, 'flaky', failing.traceId]);
  });
});
