import { Controller, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessageCenter,
  MessagioConfigurationError,
  MessagioContext,
  MessagioDuplicateListenerError,
  MessagioPriority,
  MessagioPublisher,
  MessagioTypeConflictError,
  Messagio,
  MessagioType,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(PerformAction, 10)
  high(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('high', msg, ctx);
  }

  @OnMessagio([PerformAction, ActionPerformed], { priority: MessagioPriority.LOW })
  many(msg: PerformAction | ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('many', msg, ctx);
  }

  // Several decorators on one method: one listener, per-type options.
  @OnMessagio(PerformAction, { priority: 7 })
  @OnMessagio(ActionPerformed, { priority: 2 })
  twice(msg: Messagio, ctx: MessagioContext) {
    this.recorder.record('twice', msg, ctx);
  }

  @OnMessagio(ActionPerformed, { id: 'audit-log' })
  audit(msg: ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('audit-log', msg, ctx);
  }
}

@Controller()
class ActionsController {
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(ActionPerformed)
  onPerformed(msg: ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('controller', msg, ctx);
  }
}

describe.each(TRANSPORTS)('listeners (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('discovers @OnMessagio on providers and controllers, several per method, several per type', async () => {
    app = await createApp({ transport, providers: [Listeners], controllers: [ActionsController] });
    const publisher = app.get(MessagioPublisher);
    const a = await publisher.fire(new PerformAction('go', 1));
    expect(a.listeners).toEqual(['Listeners.high', 'Listeners.twice', 'Listeners.many']);
    const b = await publisher.fire(new ActionPerformed('went'));
    // priority REGULAR(5) for audit-log and the controller (subscription order), twice=2, many=0
    expect(b.listeners).toEqual(['audit-log', 'ActionsController.onPerformed', 'Listeners.twice', 'Listeners.many']);
    const recorder = app.get(Recorder);
    await recorder.waitFor(7);
    expect(recorder.calls.map((c) => c.listener).sort()).toEqual(
      ['audit-log', 'controller', 'high', 'many', 'many', 'twice', 'twice'].sort(),
    );
  });

  it('calls a listener as (message, context) with the delivery facts', async () => {
    app = await createApp({ transport, providers: [Listeners] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('ctx', 9), { traceId: 'trace-1' });
    const recorder = app.get(Recorder);
    await recorder.waitFor(3);
    const { context, message } = recorder.of('high')[0]!;
    expect(message).toBeInstanceOf(PerformAction);
    expect(context).toBeInstanceOf(MessagioContext);
    expect(context).toMatchObject({
      messageId: receipt.messageId,
      type: 'orders.perform-action',
      traceId: 'trace-1',
      causationId: null,
      listener: 'Listeners.high',
      deliveryId: `${receipt.messageId}|Listeners.high`,
      attempt: 1,
      maxAttempts: 1,
      transport,
    });
    expect(context.firedAt).toBeInstanceOf(Date);
    expect(Date.now() - context.firedAt.getTime()).toBeLessThan(10_000);
  });
});

describe('listener registration errors', () => {
  it('fails bootstrap on a duplicate listener id, naming both', async () => {
    @Injectable()
    class A {
      @OnMessagio(PerformAction, { id: 'same' }) a() {}
    }
    @Injectable()
    class B {
      @OnMessagio(ActionPerformed, { id: 'same' }) b() {}
    }
    const error = await createApp({ transport: 'memory', providers: [A, B] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioDuplicateListenerError);
    expect((error as Error).message).toContain('A.a');
    expect((error as Error).message).toContain('B.b');
  });

  it('fails bootstrap when two classes share one wire name, naming both', async () => {
    @MessagioType('dup.name') class First extends Messagio {}
    @MessagioType('dup.name') class Second extends Messagio {}
    @Injectable()
    class L {
      @OnMessagio(First) a() {}
      @OnMessagio(Second) b() {}
    }
    const error = await createApp({ transport: 'memory', providers: [L] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioTypeConflictError);
    expect((error as Error).message).toMatch(/dup\.name.*First.*Second/);
  });

  it.each([-1, 1001, 2.5, Number.NaN, '5'])('fails bootstrap on priority %p', async (priority) => {
    @Injectable()
    class L {
      @OnMessagio(PerformAction, { priority: priority as number }) a() {}
    }
    const error = await createApp({ transport: 'memory', providers: [L] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(/L\.a.*priority must be an integer from 0 to 1000/);
  });

  it('accepts the bounds 0 and 1000', async () => {
    @Injectable()
    class L {
      @OnMessagio(PerformAction, 0) low() {}
      @OnMessagio(PerformAction, 1000) top() {}
    }
    const app = await createApp({ transport: 'memory', providers: [L] });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('x', 1));
    expect(receipt.listeners).toEqual(['L.top', 'L.low']);
    await app.close();
  });
});

describe.each(TRANSPORTS)('discovery timing (%s)', (transport) => {
  it('has every listener registered before onApplicationBootstrap, so a fire there is not lost', async () => {
    @Injectable()
    class FiresAtBoot implements OnApplicationBootstrap {
      receipts: string[][] = [];
      constructor(private readonly publisher: MessagioPublisher) {}
      async onApplicationBootstrap() {
        this.receipts.push((await this.publisher.fire(new PerformAction('boot', 1))).listeners);
        this.receipts.push((await this.publisher.fire(new PerformAction('boot-sync', 2), { sync: true })).listeners);
      }
    }
    const app = await createApp({ transport, providers: [Listeners, FiresAtBoot] });
    try {
      expect(app.get(FiresAtBoot).receipts).toEqual([
        ['Listeners.high', 'Listeners.twice', 'Listeners.many'],
        ['Listeners.high', 'Listeners.twice', 'Listeners.many'],
      ]);
      const recorder = app.get(Recorder);
      await recorder.waitFor(6);
      expect(recorder.calls.filter((c) => (c.message as PerformAction).actionName === 'boot')).toHaveLength(3);
    } finally {
      await app.close();
    }
  });
});

describe.each(TRANSPORTS)('MessageCenter (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('subscribes functions at run time and unsubscribes them', async () => {
    app = await createApp({ transport });
    const center = app.get(MessageCenter);
    const publisher = app.get(MessagioPublisher);
    const recorder = app.get(Recorder);
    const off = center.subscribe(
      [PerformAction, ActionPerformed],
      (msg, ctx) => recorder.record('fn', msg, ctx),
      { id: 'fn', priority: MessagioPriority.HIGH },
    );
    center.subscribe(PerformAction, (msg, ctx) => recorder.record('other', msg, ctx), { id: 'other' });
    expect((await publisher.fire(new PerformAction('a', 1))).listeners).toEqual(['fn', 'other']);
    await recorder.waitFor(2);
    expect(recorder.of('fn')[0]!.message).toBeInstanceOf(PerformAction);

    expect(center.unsubscribe(PerformAction, 'fn')).toBe(true);
    expect(center.unsubscribe(PerformAction, 'fn')).toBe(false);
    expect((await publisher.fire(new PerformAction('b', 2))).listeners).toEqual(['other']);
    expect((await publisher.fire(new ActionPerformed('c'))).listeners).toEqual(['fn']);
    // Unsubscribing drops the listener for deliveries still queued too, so let them run first.
    await recorder.waitFor(4);

    off();
    expect((await publisher.fire(new ActionPerformed('d'))).listeners).toEqual([]);
    expect(recorder.calls.map((c) => c.listener).sort()).toEqual(['fn', 'fn', 'other', 'other']);
  });

  it('refuses a taken id and bad options', async () => {
    @Injectable()
    class L {
      @OnMessagio(PerformAction) taken() {}
    }
    app = await createApp({ transport, providers: [L] });
    const center = app.get(MessageCenter);
    center.subscribe(PerformAction, () => undefined, { id: 'mine' });
    expect(() => center.subscribe(ActionPerformed, () => undefined, { id: 'mine' })).toThrow(MessagioDuplicateListenerError);
    expect(() => center.subscribe(ActionPerformed, () => undefined, { id: 'L.taken' })).toThrow(/L\.taken.*taken/);
    expect(() => center.subscribe(ActionPerformed, () => undefined, { id: 'p', priority: 5000 })).toThrow(MessagioConfigurationError);
    expect(() => center.subscribe(ActionPerformed, () => undefined, {} as never)).toThrow(MessagioConfigurationError);
  });
});
