import { Inject, Injectable, Scope } from '@nestjs/common';
import { ContextIdFactory, REQUEST, type ContextId, type ContextIdStrategy, type HostComponentInfo } from '@nestjs/core';
import type { TestingModule } from '@nestjs/testing';
import { MessagioContext, MessagioPublisher, OnMessagio } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, PerformAction, TimeoutError } from './fixtures/messages.js';
import { TRANSPORTS } from './fixtures/transports.js';

const seen: Array<{ listener: string; instance: number; injected: MessagioContext; given: MessagioContext }> = [];
let instances = 0;

@Injectable({ scope: Scope.REQUEST })
class PerDelivery {
  readonly instance = ++instances;
  private failedOnce = false;
  constructor(readonly context: MessagioContext) {}

  @OnMessagio(PerformAction, { id: 'per-delivery', retryOn: [TimeoutError], maxRetries: 1, retryDelay: 5 })
  run(msg: PerformAction, ctx: MessagioContext) {
    seen.push({ listener: 'per-delivery', instance: this.instance, injected: this.context, given: ctx });
    if (msg.actionName === 'retry' && ctx.attempt === 1 && !this.failedOnce) {
      this.failedOnce = true;
      throw new TimeoutError('first attempt');
    }
  }
}

/** Durable per message type, like a per-tenant provider. */
@Injectable({ scope: Scope.REQUEST, durable: true })
class PerType {
  readonly instance = ++instances;
  constructor(@Inject(REQUEST) readonly payload: { type: string }) {}

  @OnMessagio([PerformAction, ActionPerformed], { id: 'per-type' })
  run(_msg: unknown, ctx: MessagioContext) {
    seen.push({ listener: 'per-type', instance: this.instance, injected: ctx, given: ctx });
    expect(this.payload.type).toBe(ctx.type);
  }
}

/** Groups deliveries by message type into durable DI sub-trees. */
class ByMessageType implements ContextIdStrategy {
  private readonly roots = new Map<string, ContextId>();
  attach(contextId: ContextId, request: unknown) {
    const type = request instanceof MessagioContext ? request.type : 'none';
    const root = this.roots.get(type) ?? ContextIdFactory.create();
    this.roots.set(type, root);
    return { resolve: (info: HostComponentInfo) => (info.isTreeDurable ? root : contextId), payload: { type } };
  }
}

describe.each(TRANSPORTS)('request-scoped and durable listener providers (%s)', (transport) => {
  let app: TestingModule;
  beforeAll(() => ContextIdFactory.apply(new ByMessageType()));
  afterAll(() => ContextIdFactory.apply(undefined as never));
  beforeEach(() => {
    seen.length = 0;
  });
  afterEach(async () => app?.close());

  it('gives each delivery (and each attempt) its own instance, with MessagioContext injectable', async () => {
    app = await createApp({ transport, providers: [PerDelivery] });
    const publisher = app.get(MessagioPublisher);
    const a = await publisher.fire(new PerformAction('one', 1));
    const b = await publisher.fire(new PerformAction('retry', 2));
    await a.wait();
    await b.wait();
    const runs = seen.filter((s) => s.listener === 'per-delivery');
    expect(runs).toHaveLength(3);
    expect(new Set(runs.map((r) => r.instance)).size).toBe(3);
    for (const run of runs) {
      expect(run.injected).toBeInstanceOf(MessagioContext);
      expect(run.injected).toBe(run.given);
    }
    expect(runs.map((r) => [r.given.messageId, r.given.attempt])).toEqual([
      [a.messageId, 1],
      [b.messageId, 1],
      [b.messageId, 2],
    ]);
  });

  it('reuses a durable provider within its durable sub-tree (here: one per message type)', async () => {
    app = await createApp({ transport, providers: [PerType] });
    const publisher = app.get(MessagioPublisher);
    for (const m of [new PerformAction('a', 1), new ActionPerformed('b'), new PerformAction('c', 2), new ActionPerformed('d')]) {
      await (await publisher.fire(m)).wait();
    }
    const byType = new Map<string, Set<number>>();
    for (const s of seen) byType.set(s.given.type, new Set([...(byType.get(s.given.type) ?? []), s.instance]));
    expect([...byType.keys()].sort()).toEqual(['ActionPerformed', 'orders.perform-action']);
    expect([...byType.values()].map((set) => set.size)).toEqual([1, 1]);
    expect(new Set(seen.map((s) => s.instance)).size).toBe(2);
  });
});
