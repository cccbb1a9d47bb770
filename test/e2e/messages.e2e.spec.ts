import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Messagio,
  MessagioContext,
  MessagioPublisher,
  MessagioValidationError,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Address, CustomerRegistered, PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, transportOf } from './fixtures/transports.js';
import { queueOf, settled } from '../support/jobs.js';

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(CustomerRegistered) customer(msg: CustomerRegistered, ctx: MessagioContext) {
    this.recorder.record('customer', msg, ctx);
  }
  @OnMessagio(PerformAction) action(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('action', msg, ctx);
  }
}

class Loose extends Messagio {
  @IsString() kept!: string;
  extra?: string;
  constructor(kept: string, extra?: string) {
    super();
    this.kept = kept;
    this.extra = extra;
  }
}

@Injectable()
class LooseListener {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(Loose) loose(msg: Loose, ctx: MessagioContext) {
    this.recorder.record('loose', msg, ctx);
  }
}

describe.each(TRANSPORTS)('messages through %s', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('rebuilds a real instance: constructor params, methods, @Type nested classes and Dates survive', async () => {
    app = await createApp({ transport, providers: [Listeners] });
    const registeredAt = new Date('2026-01-02T03:04:05.678Z');
    const address = Object.assign(new Address(), { city: 'Lund', zip: '22100' });
    const sent = new CustomerRegistered('Ada', address, registeredAt);
    await app.get(MessagioPublisher).fire(sent);
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    const got = recorder.calls[0]!.message as CustomerRegistered;
    expect(got).toBeInstanceOf(CustomerRegistered);
    expect(got).not.toBe(sent);
    expect(got.address).toBeInstanceOf(Address);
    expect(got.address.label()).toBe('22100 Lund');
    expect(got.registeredAt).toBeInstanceOf(Date);
    expect(got.registeredAt.toISOString()).toBe(registeredAt.toISOString());
    expect(got.name).toBe('Ada');
  });

  it('rejects an invalid message at fire, naming each failing property, and enqueues nothing', async () => {
    app = await createApp({ transport, providers: [Listeners] });
    const bad = new CustomerRegistered('Ada', Object.assign(new Address(), { city: 3 }), new Date('nope'));
    bad.age = -1;
    const error = (await app.get(MessagioPublisher).fire(bad).catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.properties.sort()).toEqual(['address.city', 'address.zip', 'age', 'registeredAt']);
    expect(error.message).toMatch(/^Invalid CustomerRegistered: /);
    if (transport === 'bullmq') {
      expect(await queueOf(app).getJobCountByTypes('waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed')).toBe(0);
    } else {
      const counts = (transportOf(app) as unknown as { pending(): Record<string, number> }).pending();
      expect(counts).toEqual({ waiting: 0, scheduled: 0, running: 0 });
    }
    expect(app.get(Recorder).calls).toHaveLength(0);
  });

  it('passes validation options through: whitelist strips, forbidNonWhitelisted rejects', async () => {
    app = await createApp({ transport, providers: [LooseListener], validation: { whitelist: true } });
    await app.get(MessagioPublisher).fire(new Loose('yes', 'stripped'));
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    expect(recorder.calls[0]!.message).toEqual(Object.assign(new Loose('yes'), { extra: undefined }));
    expect((recorder.calls[0]!.message as Loose).extra).toBeUndefined();
    await app.close();

    app = await createApp({ transport, providers: [LooseListener], validation: { whitelist: true, forbidNonWhitelisted: true } });
    const error = (await app.get(MessagioPublisher).fire(new Loose('yes', 'forbidden')).catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.properties).toEqual(['extra']);
  });

  it('validate: false turns validation off at fire and on the worker', async () => {
    app = await createApp({ transport, providers: [Listeners], validate: false });
    await app.get(MessagioPublisher).fire(new PerformAction(42 as unknown as string, 'x' as unknown as number));
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    expect(recorder.calls[0]!.message).toMatchObject({ actionName: 42, objId: 'x' });
  });
});

describe('worker-side validation (bullmq)', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('fails an invalid stored payload at once, without retries, with the reason recorded', async () => {
    @Injectable()
    class Retrying {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction, { maxRetries: 5, retryDelay: 10 }) run(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('run', msg, ctx);
      }
    }
    app = await createApp({ providers: [Retrying] });
    const queue = queueOf(app);
    await queue.add(
      'orders.perform-action',
      {
        v: 1, type: 'orders.perform-action', id: 'm-invalid', traceId: 't', causationId: null,
        firedAt: new Date().toISOString(), listener: 'Retrying.run', payload: { actionName: 7, objId: 'nope' },
      },
      { jobId: 'm-invalid|Retrying.run', attempts: 6, backoff: { type: 'fixed', delay: 10 } },
    );
    const job = await settled(queue, 'm-invalid|Retrying.run');
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/MessagioValidationError: Invalid orders\.perform-action: actionName .*objId/);
    expect(app.get(Recorder).calls).toHaveLength(0);
  });

  it('never evaluates payload content: strings that look like code stay strings', async () => {
    @Injectable()
    class L {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(PerformAction) run(msg: PerformAction, ctx: MessagioContext) {
        this.recorder.record('run', msg, ctx);
      }
    }
    app = await createApp({ providers: [L] });
    (globalThis as Record<string, unknown>).__pwned = false;
    await app.get(MessagioPublisher).fire(new PerformAction('(() => { globalThis.__pwned = true; })()', 1));
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    expect((recorder.calls[0]!.message as PerformAction).actionName).toBe('(() => { globalThis.__pwned = true; })()');
    expect((globalThis as Record<string, unknown>).__pwned).toBe(false);
  });
});
