import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  MessagioConfigurationError,
  MessagioContext,
  MessagioModule,
  MessagioPublisher,
  OnMessagio,
  type MessagioEnvelope,
} from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { ActionPerformed, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';

// `asyncContext: false` runs listeners outside messagio's AsyncLocalStorage (on
// Node 20 it costs every promise of the process a hook); `causedBy` links a
// message to its cause explicitly, with or without it.

/** Fires three follow-ups after an await: plain, with `causedBy` through the publisher, and through `message.fire()`. */
@Injectable()
class FollowUps {
  constructor(
    private readonly recorder: Recorder,
    private readonly publisher: MessagioPublisher,
  ) {}

  @OnMessagio(PerformAction, { id: 'perform' })
  async perform(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('perform', msg, ctx);
    await new Promise((r) => setTimeout(r, 1));
    await this.publisher.fire(new ActionPerformed('plain'));
    await this.publisher.fire(new ActionPerformed('caused'), { causedBy: ctx });
    await new ActionPerformed('message.fire').fire({ causedBy: ctx });
  }

  @OnMessagio(ActionPerformed, { id: 'performed' })
  performed(msg: ActionPerformed, ctx: MessagioContext) {
    this.recorder.record('performed', msg, ctx);
  }
}

function byName(recorder: Recorder): Map<string, MessagioContext> {
  return new Map(recorder.of('performed').map((c) => [(c.message as ActionPerformed).actionName, c.context]));
}

describe.each(TRANSPORTS)('asyncContext and causedBy (%s)', (transport) => {
  let app: TestingModule | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.each([true, false])('asyncContext: %s — a plain fire after an await inherits the trace only with it; causedBy links either way', async (asyncContext) => {
    app = await createApp({ transport, providers: [FollowUps], asyncContext });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('root', 1), { headers: { tenant: 'acme' } });
    const recorder = app.get(Recorder);
    await recorder.waitFor(4);
    const performed = byName(recorder);
    for (const name of ['caused', 'message.fire']) {
      const ctx = performed.get(name)!;
      expect([name, ctx.traceId, ctx.causationId, ctx.headers]).toEqual([name, receipt.traceId, receipt.messageId, { tenant: 'acme' }]);
    }
    const plain = performed.get('plain')!;
    if (asyncContext) {
      expect([plain.traceId, plain.causationId, plain.headers]).toEqual([receipt.traceId, receipt.messageId, { tenant: 'acme' }]);
    } else {
      // Outside the async context: a new trace, caused by nothing, no inherited headers.
      expect(plain.traceId).not.toBe(receipt.traceId);
      expect([plain.causationId, plain.headers]).toEqual([null, {}]);
    }
  });

  it('causedBy outside any listener: traceId, causation and headers from it; an explicit traceId and headers win', async () => {
    app = await createApp({ transport, providers: [FollowUps] });
    const publisher = app.get(MessagioPublisher);
    const cause = { messageId: 'm-1', traceId: 't-1', headers: { tenant: 'acme', region: 'eu' } };
    await publisher.fire(new ActionPerformed('from-cause'), { causedBy: cause });
    await publisher.fire(new ActionPerformed('explicit'), { causedBy: cause, traceId: 't-2', headers: { region: 'us' } });
    const recorder = app.get(Recorder);
    await recorder.waitFor(2);
    const performed = byName(recorder);
    const from = performed.get('from-cause')!;
    expect([from.traceId, from.causationId, from.headers]).toEqual(['t-1', 'm-1', { tenant: 'acme', region: 'eu' }]);
    const explicit = performed.get('explicit')!;
    expect([explicit.traceId, explicit.causationId, explicit.headers]).toEqual(['t-2', 'm-1', { tenant: 'acme', region: 'us' }]);
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an id with a space', { messageId: 'm 1', traceId: 't-1' }],
    ['no traceId', { messageId: 'm-1' }],
    ['headers with a line break', { messageId: 'm-1', traceId: 't-1', headers: { a: 'x\ny' } }],
  ])('causedBy with %s is a MessagioConfigurationError at fire; nothing is stored or run', async (_what, causedBy) => {
    app = await createApp({ transport, providers: [FollowUps] });
    const publisher = app.get(MessagioPublisher);
    await expect(publisher.fire(new ActionPerformed('bad'), { causedBy: causedBy as never })).rejects.toThrow(MessagioConfigurationError);
    await expect(publisher.fire(new ActionPerformed('bad-sync'), { causedBy: causedBy as never, sync: true })).rejects.toThrow(MessagioConfigurationError);
    await expect(publisher.fireMany([new ActionPerformed('bad-many')], { causedBy: causedBy as never })).rejects.toThrow(/causedBy/);
    // A good fire after them is the only one that runs.
    await publisher.fire(new ActionPerformed('good'));
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(recorder.of('performed').map((c) => (c.message as ActionPerformed).actionName)).toEqual(['good']);
  });
});

it.each([['a string', 'no'], ['a number', 0]])('asyncContext as %s is a MessagioConfigurationError at bootstrap', async (_what, value) => {
  await expect(createApp({ transport: 'memory', asyncContext: value as never })).rejects.toThrow(
    new MessagioConfigurationError(`asyncContext must be true or false, got ${JSON.stringify(value)}.`),
  );
});

describe('testing harness with asyncContext: false', () => {
  it('links a message fired with causedBy to the listener that fired it (firedBy, trace)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot({ asyncContext: false })],
      providers: [Recorder, FollowUps],
    }).compile();
    await moduleRef.init();
    try {
      const harness = moduleRef.get(MessagioTestHarness);
      const receipt = await moduleRef.get(MessagioPublisher).fire(new PerformAction('root', 1));
      await harness.drain();
      const fired = harness.fired(ActionPerformed);
      const by = new Map(fired.map((r) => [(r.message as ActionPerformed).actionName, r]));
      expect(by.get('caused')!.firedBy).toEqual({ messageId: receipt.messageId, listener: 'perform' });
      expect(by.get('message.fire')!.firedBy).toEqual({ messageId: receipt.messageId, listener: 'perform' });
      expect(by.get('plain')!.firedBy).toBeNull();
      expect(by.get('caused')!.causationId).toBe(receipt.messageId);
      const traced = harness.trace(receipt.traceId).firedBy('perform');
      expect(traced.map((m) => (m.message as ActionPerformed).actionName).sort()).toEqual(['caused', 'message.fire']);
    } finally {
      await moduleRef.close();
    }
  });
});

it('MessagioModule.forRoot({ asyncContext: false }) under the testing module keeps it (the app’s options are laid under)', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [MessagioModule.forRoot({ asyncContext: false })],
    providers: [Recorder, FollowUps],
  })
    .overrideModule(MessagioModule)
    .useModule(MessagioTestingModule.forRoot())
    .compile();
  await moduleRef.init();
  try {
    const harness = moduleRef.get(MessagioTestHarness);
    const receipt = await moduleRef.get(MessagioPublisher).fire(new PerformAction('root', 1));
    await harness.drain();
    const plain = harness.fired(ActionPerformed).find((r) => (r.message as ActionPerformed).actionName === 'plain')!;
    expect((plain.envelope as Omit<MessagioEnvelope, 'listener'>).causationId).toBeNull();
    expect(plain.traceId).not.toBe(receipt.traceId);
  } finally {
    await moduleRef.close();
  }
});
