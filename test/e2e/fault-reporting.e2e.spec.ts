import { Injectable } from '@nestjs/common';
import { IsObject } from 'class-validator';
import type { TestingModule } from '@nestjs/testing';
import type { Job } from 'bullmq';
import {
  MessagioAdmin,
  MessagioContext,
  Messagio,
  MessagioFault,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
  type MessagioEnvelope,
} from '../../lib/index.js';
import { MessagioFaultReporter } from '../../lib/delivery/fault.reporter.js';
import { createApp } from './fixtures/app.js';
import { FatalError, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, transportOf, type TransportName } from './fixtures/transports.js';
import { queueOf, settled } from '../support/jobs.js';
import { eventually } from '../support/redis.js';

const FAULT = 'messagio.fault';

@Injectable()
class Doomed {
  /** A stack this long, when set, replaces the thrown error's. */
  static stack: string | undefined;
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'doomed' })
  run(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('doomed', msg, ctx);
    const error = new FatalError(`${msg.actionName.slice(0, 10)} failed, run ${this.recorder.of('doomed').length}`);
    if (Doomed.stack !== undefined) error.stack = Doomed.stack;
    throw error;
  }
}

@Injectable()
class Faults {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(MessagioFault, { id: 'faults' })
  onFault(fault: MessagioFault, ctx: MessagioContext) {
    this.recorder.record('fault', fault, ctx);
  }
}

/** A payload nested `levels` deep, the payload object counted as level 1. */
@MessagioType('tests.deep-payload')
class DeepPayload extends Messagio {
  @IsObject() tree!: Record<string, unknown>;
  static of(levels: number): DeepPayload {
    let tree: Record<string, unknown> = {};
    for (let level = 3; level <= levels; level++) tree = { a: tree };
    return Object.assign(new DeepPayload(), { tree });
  }
}

@Injectable()
class DeepDoomed {
  @OnMessagio(DeepPayload, { id: 'deep-doomed' })
  run() {
    throw new FatalError('deep failed');
  }
}

const faultsOf = (app: TestingModule) => app.get(Recorder).of('fault').map((c) => ({ fault: c.message as MessagioFault, context: c.context }));

/**
 * Fault deliveries the transport stored: fault jobs in Redis, or the memory
 * transport's completed records (in these tests only fault deliveries complete).
 */
async function storedFaults(app: TestingModule, transport: TransportName): Promise<number> {
  if (transport === 'memory') return (await app.get(MessagioAdmin).counts()).completed;
  const jobs = (await queueOf(app).getJobs(['completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized'])) as Job[];
  return jobs.filter((job) => job.name === FAULT).length;
}

/** Stores `data` as a delivery with id `id`, around messagio's publisher: a raw BullMQ job, or a memory record. */
async function storeRaw(app: TestingModule, transport: TransportName, id: string, data: unknown): Promise<void> {
  if (transport === 'bullmq') {
    await queueOf(app).add('raw-job', data as never, { jobId: id, attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    return;
  }
  await transportOf(app).enqueue([
    { id, envelope: data as MessagioEnvelope, priority: 5, attempts: 3, backoff: { type: 'fixed', delay: 10 }, delay: 0 },
  ]);
}

const envelope = (over: Record<string, unknown> = {}) => ({
  v: 1,
  type: 'orders.perform-action',
  id: 'raw-message',
  traceId: 'raw-trace',
  causationId: null,
  firedAt: new Date().toISOString(),
  listener: 'doomed',
  payload: { actionName: 'ok', objId: 1 },
  ...over,
});

describe.each(TRANSPORTS)('fault reporting (%s)', (transport) => {
  let app: TestingModule;
  beforeEach(() => {
    Doomed.stack = undefined;
  });
  afterEach(async () => app?.close());

  it('reports each final failure once, a new fault for each failure after MessagioAdmin.retry', async () => {
    app = await createApp({ transport, providers: [Doomed, Faults] });
    const admin = app.get(MessagioAdmin);
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('again', 1));
    const deliveryId = `${receipt.messageId}|doomed`;
    await eventually(() => faultsOf(app).length === 1, 10_000, 'the first fault');

    expect(await admin.retry({ messageId: receipt.messageId, listener: 'doomed' })).toEqual([deliveryId]);
    await eventually(() => faultsOf(app).length === 2, 10_000, 'a fault for the second final failure');
    expect(await admin.retry({ listener: 'doomed' })).toEqual([deliveryId]);
    await eventually(() => faultsOf(app).length === 3, 10_000, 'a fault for the third final failure');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate fault would show up by now

    const faults = faultsOf(app);
    expect(app.get(Recorder).of('doomed')).toHaveLength(3);
    expect(faults.map((f) => [f.fault.deliveryId, f.fault.error.message, f.context.causationId])).toEqual([
      [deliveryId, 'again failed, run 1', receipt.messageId],
      [deliveryId, 'again failed, run 2', receipt.messageId],
      [deliveryId, 'again failed, run 3', receipt.messageId],
    ]);
    expect(new Set(faults.map((f) => f.context.messageId)).size).toBe(3);
    // Exactly one stored fault delivery per final failure.
    expect(await storedFaults(app, transport)).toBe(3);
  });

  it('the same final failure reported twice is stored once (a crash between fault and failure re-runs it)', async () => {
    app = await createApp({ transport, providers: [Doomed, Faults] });
    const reporter = app.get(MessagioFaultReporter);
    const failed = { status: 'failed' as const, envelope: envelope() as MessagioEnvelope, error: new FatalError('once'), poison: false };
    const attempt = { attempt: 1, transport, id: 'raw-message|doomed', name: 'orders.perform-action' };
    await reporter.report(failed, { ...attempt, cycle: 0 });
    await reporter.report(failed, { ...attempt, cycle: 0 });
    await reporter.report(failed, { ...attempt, cycle: 1 });
    await eventually(() => faultsOf(app).length === 2, 10_000, 'two faults');
    await new Promise((r) => setTimeout(r, 300));
    expect(faultsOf(app).map((f) => f.fault.error.message)).toEqual(['once', 'once']);
    expect(await storedFaults(app, transport)).toBe(2);
  });

  it('fires one fault, with the stored id and what could be read, for each kind of undeliverable data', async () => {
    app = await createApp({ transport, providers: [Doomed, Faults], maxPayloadBytes: 4096 });
    const poison: Array<[string, unknown, RegExp]> = [
      ['malformed', 'just a string', /Not a messagio envelope: job data is not an object/],
      [
        'forbidden-key',
        JSON.parse(JSON.stringify(envelope()).replace('"objId":1', '"objId":1,"__proto__":{"polluted":true}')),
        /Payload key "payload.__proto__" is forbidden/,
      ],
      ['unsupported-version', envelope({ v: 2 }), /Envelope version 2 is not supported/],
      ['oversized', envelope({ payload: { actionName: 'y'.repeat(5000), objId: 1 } }), /Payload is \d+ bytes, more than maxPayloadBytes \(4096\)/],
    ];
    for (const [id, data] of poison) await storeRaw(app, transport, `poison-${id}`, data);
    await eventually(() => faultsOf(app).length >= poison.length, 10_000, `${poison.length} faults`);
    await new Promise((r) => setTimeout(r, 300));

    const faults = faultsOf(app);
    expect(faults.map((f) => f.fault.deliveryId).sort()).toEqual(poison.map(([id]) => `poison-${id}`).sort());
    for (const [id, data, reason] of poison) {
      const { fault, context } = faults.find((f) => f.fault.deliveryId === `poison-${id}`)!;
      const readable = typeof data === 'object';
      expect([id, fault.poison, fault.attempts, fault.error.name, fault.payload]).toEqual([id, true, 1, 'MessagioEnvelopeError', {}]);
      expect(fault.error.message).toMatch(reason);
      // What could be read: the data's own fields, else the stored id and name.
      expect([id, fault.messageId, fault.listener, fault.type]).toEqual(
        readable
          ? [id, 'raw-message', 'doomed', 'orders.perform-action']
          : [id, `poison-${id}`, '', transport === 'bullmq' ? 'raw-job' : ''],
      );
      if (readable) expect(fault.traceId).toBe('raw-trace');
      else expect(fault.traceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(context.traceId).toBe(fault.traceId);
      expect(context.causationId).toBe(fault.messageId);
      // The raw data, as JSON, cut at 2,048 characters with a marker.
      expect(fault.raw!.length).toBeLessThanOrEqual(2048 + 60);
      expect(fault.raw!.startsWith(JSON.stringify(data).slice(0, 40))).toBe(true);
      if (id === 'oversized') expect(fault.raw).toMatch(/… \[truncated from \d+ characters\]$/);
      else expect(fault.raw).toBe(JSON.stringify(data));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(app.get(Recorder).of('doomed')).toHaveLength(0);
    if (transport === 'bullmq') {
      for (const [id] of poison) expect(await (await settled(queueOf(app), `poison-${id}`)).getState()).toBe('failed');
    }
  });

  it('never drops a fault for its size: a payload near maxPayloadBytes is replaced by a marker', async () => {
    app = await createApp({ transport, providers: [Doomed, Faults], maxPayloadBytes: 4096 });
    const message = new PerformAction('x'.repeat(4000), 1);
    await app.get(MessagioPublisher).fire(message);
    await eventually(() => faultsOf(app).length === 1, 10_000, 'the fault');
    const { fault } = faultsOf(app)[0]!;
    expect(fault.payload).toEqual({ truncated: true, bytes: Buffer.byteLength(JSON.stringify({ actionName: 'x'.repeat(4000), objId: 1 })) });
    expect(fault.error.message).toBe('xxxxxxxxxx failed, run 1');
    // With the payload gone there is room for the whole stack.
    expect(fault.error.stack).toContain('xxxxxxxxxx failed, run 1');
    expect(fault.error.stack).not.toContain('[truncated');
    expect(Buffer.byteLength(JSON.stringify(fault))).toBeLessThanOrEqual(4096);
  });

  it('never drops a fault for its depth: a payload at the depth limit is replaced by a marker in the fault', async () => {
    app = await createApp({ transport, providers: [DeepDoomed, Faults] });
    const message = DeepPayload.of(64); // the deepest a message may be; one level deeper inside a fault
    await app.get(MessagioPublisher).fire(message);
    await eventually(() => faultsOf(app).length === 1, 10_000, 'the fault');
    const { fault } = faultsOf(app)[0]!;
    expect(fault).toMatchObject({ listener: 'deep-doomed', error: { name: 'FatalError', message: 'deep failed' } });
    expect(fault.payload).toEqual({ truncated: true, bytes: Buffer.byteLength(JSON.stringify({ tree: message.tree })) });
  });

  it('cuts a stack that would make the fault too large, keeping the payload', async () => {
    Doomed.stack = `FatalError: deep failed\n${'    at frame (file.ts:1:1) — ünïcode "quoted"\n'.repeat(200)}`;
    app = await createApp({ transport, providers: [Doomed, Faults], maxPayloadBytes: 4096 });
    await app.get(MessagioPublisher).fire(new PerformAction('deep', 2));
    await eventually(() => faultsOf(app).length === 1, 10_000, 'the fault');
    const { fault } = faultsOf(app)[0]!;
    expect(fault.payload).toEqual({ actionName: 'deep', objId: 2 });
    const stack = fault.error.stack!;
    expect(stack).toMatch(new RegExp(`… \\[truncated from ${Buffer.byteLength(Doomed.stack)} bytes\\]$`));
    expect(Doomed.stack.startsWith(stack.slice(0, stack.indexOf('…')))).toBe(true);
    const size = Buffer.byteLength(JSON.stringify(fault));
    expect(size).toBeLessThanOrEqual(4096);
    expect(size).toBeGreaterThan(4096 - 100); // cut to what fits, not to nothing
  });
});
