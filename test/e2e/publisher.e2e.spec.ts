import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioContext,
  MessagioNoListenersError,
  MessagioNotInitializedError,
  MessagioPublisher,
  MessagioConfigurationError,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, PerformAction, Unheard } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, memoryTransportOf, transportOf } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { eventually } from '../support/redis.js';

@Injectable()
class Chain {
  constructor(
    private readonly recorder: Recorder,
    private readonly publisher: MessagioPublisher,
  ) {}

  @OnMessagio(PerformAction, { id: 'perform' })
  async perform(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('perform', msg, ctx);
    // Fired from inside a listener, through the injected publisher and msg.fire().
    await this.publisher.fire(new ActionPerformed(msg.actionName));
    await new ActionPerformed(`${msg.actionName}-again`).fire();
  }

  @OnMessagio(ActionPerformed, { id: 'performed' })
  performed(msg: ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('performed', msg, ctx);
  }
}

describe.each(TRANSPORTS)('MessagioPublisher (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('resolves with a receipt and gives nested fires the traceId and a causationId', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('root', 1));
    expect(receipt).toEqual({ messageId: expect.any(String), traceId: expect.any(String), listeners: ['perform'] });
    expect(receipt.messageId).not.toBe(receipt.traceId);
    const recorder = app.get(Recorder);
    await recorder.waitFor(3);
    const performed = recorder.of('performed');
    expect(performed.map((c) => (c.message as ActionPerformed).actionName).sort()).toEqual(['root', 'root-again']);
    for (const call of performed) {
      expect(call.context.traceId).toBe(receipt.traceId);
      expect(call.context.causationId).toBe(receipt.messageId);
      expect(call.context.messageId).not.toBe(receipt.messageId);
    }
    expect(recorder.of('perform')[0]!.context.causationId).toBeNull();
  });

  it('keeps an explicit traceId and ignores a context outside listeners', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('traced', 1), { traceId: 'my-trace' });
    expect(receipt.traceId).toBe('my-trace');
    const recorder = app.get(Recorder);
    await recorder.waitFor(3);
    expect(recorder.calls.every((c) => c.context.traceId === 'my-trace')).toBe(true);
    const unrelated = await app.get(MessagioPublisher).fire(new ActionPerformed('outside'));
    expect(unrelated.traceId).not.toBe('my-trace');
  });

  it('treats a repeated messageId as the same message: nothing new is enqueued', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const publisher = app.get(MessagioPublisher);
    const first = await publisher.fire(new ActionPerformed('once'), { messageId: 'order-42-performed' });
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    const again = await publisher.fire(new ActionPerformed('twice'), { messageId: 'order-42-performed' });
    expect(again.messageId).toBe(first.messageId);
    await publisher.fire(new ActionPerformed('other'));
    await recorder.waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(recorder.calls.map((c) => (c.message as ActionPerformed).actionName)).toEqual(['once', 'other']);
    if (transport === 'bullmq') {
      expect(await queueOf(app).getJobCounts('completed')).toEqual({ completed: 2 });
    }
  });

  it('delays deliveries by `delay` ms', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const started = Date.now();
    await app.get(MessagioPublisher).fire(new ActionPerformed('later'), { delay: 300 });
    if (transport === 'bullmq') expect(await queueOf(app).getJobCounts('delayed')).toEqual({ delayed: 1 });
    else expect(memoryTransportOf(app).pending().scheduled).toBe(1);
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    expect(recorder.calls[0]!.at - started).toBeGreaterThanOrEqual(295);
  });

  it('fireMany stores every delivery in one transport call', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const publisher = app.get(MessagioPublisher);
    const queue = transport === 'bullmq' ? queueOf(app) : undefined;
    const addBulk = queue ? jest.spyOn(queue, 'addBulk') : undefined;
    const add = queue ? jest.spyOn(queue, 'add') : undefined;
    const enqueue = jest.spyOn(transportOf(app), 'enqueue');
    const messages = Array.from({ length: 50 }, (_, i) => new ActionPerformed(`bulk-${i}`));
    const receipts = await publisher.fireMany(messages);
    expect(receipts).toHaveLength(50);
    expect(new Set(receipts.map((r) => r.messageId)).size).toBe(50);
    expect(enqueue).toHaveBeenCalledTimes(1);
    expect((enqueue.mock.calls[0]![0] as unknown[]).length).toBe(50);
    if (queue) {
      expect(addBulk).toHaveBeenCalledTimes(1);
      expect(add).not.toHaveBeenCalled();
    }
    await app.get(Recorder).waitFor(50);
  });

  it('fireMany stores nothing when one message is invalid', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const enqueue = jest.spyOn(transportOf(app), 'enqueue');
    const bad = new ActionPerformed(5 as unknown as string);
    await expect(app.get(MessagioPublisher).fireMany([new ActionPerformed('ok'), bad])).rejects.toThrow(/actionName/);
    expect(enqueue).not.toHaveBeenCalled();
    await expect(app.get(MessagioPublisher).fireMany([], { messageId: 'x' } as never)).rejects.toThrow(MessagioConfigurationError);
  });

  it('warns once per type without listeners and returns an empty receipt', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      app = await createApp({ transport, providers: [Chain] });
      const publisher = app.get(MessagioPublisher);
      const a = await publisher.fire(new Unheard());
      const b = await publisher.fire(new Unheard());
      expect(a.listeners).toEqual([]);
      expect(b.listeners).toEqual([]);
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('Unheard'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/No listener subscribes to Unheard/);
    } finally {
      warn.mockRestore();
    }
  });

  it('throws MessagioNoListenersError in strict mode', async () => {
    app = await createApp({ transport, providers: [Chain], strict: true });
    await expect(app.get(MessagioPublisher).fire(new Unheard())).rejects.toBeInstanceOf(MessagioNoListenersError);
  });

  it('rejects bad fire options with a typed error', async () => {
    app = await createApp({ transport, providers: [Chain] });
    const publisher = app.get(MessagioPublisher);
    await expect(publisher.fire(new ActionPerformed('x'), { delay: -5 })).rejects.toBeInstanceOf(MessagioConfigurationError);
    await expect(publisher.fire(new ActionPerformed('x'), { messageId: 'a:b' })).rejects.toThrow(/messageId/);
    await expect(publisher.fire(new ActionPerformed('x'), { traceId: '' })).rejects.toThrow(/traceId/);
  });
});

describe('message.fire() outside an app', () => {
  it('throws MessagioNotInitializedError before init and after close', async () => {
    await expect(new ActionPerformed('early').fire()).rejects.toBeInstanceOf(MessagioNotInitializedError);
    const app = await createApp({ transport: 'memory', providers: [Chain], init: false });
    await expect(new ActionPerformed('not yet').fire()).rejects.toBeInstanceOf(MessagioNotInitializedError);
    await app.init();
    const receipt = await new ActionPerformed('now').fire();
    expect(receipt.listeners).toEqual(['performed']);
    await eventually(() => app.get(Recorder).calls.length === 1);
    await app.close();
    await expect(new ActionPerformed('late').fire()).rejects.toThrow(/needs an initialised Nest application/);
  });
});
