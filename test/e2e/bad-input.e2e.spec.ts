import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioContext,
  MessagioInvalidMessageError,
  MessagioPublisher,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { queueOf, settled } from '../support/jobs.js';

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction, { id: 'run', maxRetries: 5, retryDelay: 10 }) run(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('run', msg, ctx);
  }
}

const valid = (over: Record<string, unknown> = {}) => ({
  v: 1,
  type: 'orders.perform-action',
  id: 'm',
  traceId: 't',
  causationId: null,
  firedAt: new Date().toISOString(),
  listener: 'run',
  payload: { actionName: 'ok', objId: 1 },
  ...over,
});

describe('bad input', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it.each([
    ['a plain object', { actionName: 'x', objId: 1 }],
    ['null', null],
    ['the class itself', PerformAction],
    ['a string', 'PerformAction'],
  ])('fire(%s) rejects with MessagioInvalidMessageError', async (_label, value) => {
    app = await createApp({ transport: 'memory', providers: [Listeners] });
    const error = await app.get(MessagioPublisher).fire(value as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioInvalidMessageError);
    expect((error as Error).message).toMatch(/Only instances of a Messagio subclass can be fired/);
  });

  it('fails each undeliverable job at once with its reason, and the worker keeps going', async () => {
    app = await createApp({ providers: [Listeners] });
    const queue = queueOf(app);
    const poison: Array<[string, unknown, RegExp]> = [
      ['not-object', 'just a string', /Not a messagio envelope: job data is not an object/],
      ['array', [1, 2], /job data is not an object/],
      ['no-version', { ...valid(), v: undefined }, /no envelope version/],
      ['version-2', valid({ v: 2 }), /Envelope version 2 is not supported/],
      ['missing-id', valid({ id: '' }), /"id" must be a non-empty string/],
      ['bad-payload', valid({ payload: 'x' }), /"payload" must be an object/],
      ['unknown-type', valid({ type: 'nobody.knows' }), /Message type "nobody.knows" is not registered/],
      ['unknown-listener', valid({ listener: 'Ghost.run' }), /Listener "Ghost.run" is not registered/],
      ['invalid', valid({ payload: { actionName: 1, objId: 'x' } }), /MessagioValidationError/],
      ['proto', JSON.parse('{"v":1,"type":"orders.perform-action","id":"m","traceId":"t","causationId":null,"firedAt":"2026-01-01T00:00:00Z","listener":"run","payload":{"actionName":"x","objId":1,"__proto__":{"polluted":true}}}'), /forbidden \(prototype pollution guard\)/],
      ['nested-constructor', valid({ payload: { actionName: 'x', objId: 1, deep: [{ constructor: { prototype: {} } }] } }), /payload\.deep\.0\.constructor/],
    ];
    for (const [id, data] of poison) {
      await queue.add('poison', data as never, { jobId: `poison-${id}`, attempts: 6, backoff: { type: 'fixed', delay: 10 } });
    }
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('still-fine', 7));
    for (const [id, , reason] of poison) {
      const job = await settled(queue, `poison-${id}`);
      expect([id, await job.getState(), job.attemptsStarted]).toEqual([id, 'failed', 1]);
      expect(job.failedReason).toMatch(reason);
    }
    await app.get(Recorder).waitFor(1);
    expect(app.get(Recorder).calls[0]!.context.messageId).toBe(receipt.messageId);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
