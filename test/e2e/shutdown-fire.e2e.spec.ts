import { Injectable, Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { MessagioContext, MessagioPublisher, OnMessagio, type FireReceipt } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, memoryTransportOf, transportOf, type TransportName } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { redisConnection } from '../support/redis.js';

/** A promise the test resolves by hand. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** How a fire made by a listener ended: its receipt, or the error it rejected with. */
type Settled = { receipt: FireReceipt } | { error: Error };
const settle = (fire: Promise<FireReceipt>): Promise<Settled> =>
  fire.then(
    (receipt) => ({ receipt }),
    (error: Error) => ({ error }),
  );

/** The listener in flight: it waits until `app.close()` has begun, then fires both ways. */
@Injectable()
class Relay {
  static closing = gate();
  static results: Settled[] = [];
  constructor(
    private readonly recorder: Recorder,
    private readonly publisher: MessagioPublisher,
  ) {}

  @OnMessagio(PerformAction, { id: 'relay' })
  async relay(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('relay', msg, ctx);
    await Relay.closing.opened;
    await new Promise((resolve) => setTimeout(resolve, 20)); // its side effect, while the app closes
    Relay.results.push(await settle(new ActionPerformed(`${msg.actionName}/message`).fire()));
    Relay.results.push(await settle(this.publisher.fire(new ActionPerformed(`${msg.actionName}/publisher`))));
  }

  @OnMessagio(ActionPerformed, { id: 'performed' })
  performed(msg: ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('performed', msg, ctx);
  }
}

/** The other app's listener of the follow-up message. */
@Injectable()
class Elsewhere {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(ActionPerformed, { id: 'performed' })
  performed(msg: ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('elsewhere', msg, ctx);
  }
}

/** Opens Relay's gate as soon as the app's transport is asked to close. */
function openGateOnClose(app: TestingModule): void {
  const transport = transportOf(app);
  const close = transport.close.bind(transport);
  transport.close = () => {
    Relay.closing.open();
    return close();
  };
}

/** Status of a delivery after its app closed: read from Redis with a fresh connection, or from the memory transport. */
async function statusAfterClose(transport: TransportName, app: TestingModule, queueName: string, deliveryId: string): Promise<string> {
  if (transport === 'memory') return (await memoryTransportOf(app).inspect([deliveryId]))[0]!.status;
  const queue = new Queue(queueName, { connection: redisConnection() });
  try {
    return await queue.getJobState(deliveryId);
  } finally {
    await queue.close();
  }
}

describe.each(TRANSPORTS)('listeners in flight may fire while the app closes (%s)', (transport) => {
  let warn: jest.SpiedFunction<Logger['warn']>;
  beforeEach(() => {
    Relay.closing = gate();
    Relay.results = [];
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(() => warn.mockRestore());

  it('msg.fire() and the injected publisher store the follow-up; the delivery in flight completes', async () => {
    const app = await createApp({ transport, providers: [Relay] });
    const queueName = transport === 'bullmq' ? queueOf(app).name : '';
    openGateOnClose(app);
    const root = await app.get(MessagioPublisher).fire(new PerformAction('closing', 1));
    await app.get(Recorder).waitFor(1);
    await app.close();

    expect(Relay.results.map((r) => ('error' in r ? `${r.error.name}: ${r.error.message}` : r.receipt.listeners))).toEqual([
      ['performed'],
      ['performed'],
    ]);
    const followUps = Relay.results.map((r) => (r as { receipt: FireReceipt }).receipt);
    for (const receipt of followUps) {
      // Stored: a job in Redis (run by whoever consumes the queue next), or kept by the memory transport.
      const status = await statusAfterClose(transport, app, queueName, `${receipt.messageId}|performed`);
      expect(status).toBe(transport === 'bullmq' ? 'waiting' : 'queued');
      expect(receipt.traceId).toBe(root.traceId);
    }
    expect(await statusAfterClose(transport, app, queueName, `${root.messageId}|relay`)).toBe('completed');
    if (transport === 'memory') {
      // Nothing vanishes silently: what was stored while closing is reported as not run.
      expect(warn.mock.calls.map((c) => String(c[0]))).toContain('In-memory transport closed with 2 queued and 0 delayed deliveries not run.');
    }
  });

  it('with two apps, a listener of the app that closes fires through its own app, never the other', async () => {
    const a = await createApp({ transport, providers: [Relay] });
    const aQueue = transport === 'bullmq' ? queueOf(a).name : '';
    const b = await createApp({ transport, providers: [Elsewhere] }); // initialised later: top of the stack
    try {
      openGateOnClose(a);
      await a.get(MessagioPublisher).fire(new PerformAction('two-apps', 2));
      await a.get(Recorder).waitFor(1);
      await a.close();

      expect(Relay.results.every((r) => 'receipt' in r)).toBe(true);
      for (const r of Relay.results) {
        const { receipt } = r as { receipt: FireReceipt };
        expect(await statusAfterClose(transport, a, aQueue, `${receipt.messageId}|performed`)).toBe(transport === 'bullmq' ? 'waiting' : 'queued');
      }
      // B is open and consuming: a fire that reached it would have run by now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(b.get(Recorder).calls).toEqual([]);
      if (transport === 'bullmq') expect(await queueOf(b).getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0 });
      else expect(await memoryTransportOf(b).counts()).toEqual({ queued: 0, delayed: 0, running: 0, completed: 0, failed: 0 });
    } finally {
      await b.close();
    }
  });
});
