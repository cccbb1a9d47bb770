import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Messagio,
  MessagioContext,
  MessagioType,
  OnMessagio,
  type MessagioEnvelope,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Recorder } from './fixtures/recorder.js';
import { memoryTransportOf } from './fixtures/transports.js';
import { queueOf, settled } from '../support/jobs.js';

@MessagioType('guard.note')
class Note extends Messagio {
  @IsString() text: string;
  constructor(text: string) {
    super();
    this.text = text;
  }
}

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(Note, { id: 'note', maxRetries: 5, retryDelay: 10 }) note(msg: Note, ctx: MessagioContext) {
    this.recorder.record('note', msg, ctx);
  }
}

const envelope = (id: string, over: Record<string, unknown> = {}) => ({
  v: 1,
  type: 'guard.note',
  id,
  traceId: 't',
  causationId: null,
  firedAt: '2026-01-02T03:04:05.678Z',
  listener: 'note',
  payload: { text: 'raw' },
  ...over,
});

const BAD_DATES = ['not a date', '2026-02-30T00:00:00.000Z', '2026-01-01T00:00:00'];

describe('envelope guard on the worker (bullmq)', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('fails a stored firedAt that is not a date at once, and hands listeners a valid ctx.firedAt', async () => {
    app = await createApp({ providers: [Listeners] });
    const queue = queueOf(app);
    for (const [i, firedAt] of BAD_DATES.entries()) {
      await queue.add('guard.note', envelope(`bad-date-${i}`, { firedAt }), { jobId: `bad-date-${i}|note`, attempts: 6, backoff: { type: 'fixed', delay: 10 } });
    }
    await queue.add('guard.note', envelope('good-date'), { jobId: 'good-date|note' });
    for (const [i, firedAt] of BAD_DATES.entries()) {
      const job = await settled(queue, `bad-date-${i}|note`);
      expect([firedAt, await job.getState(), job.attemptsStarted]).toEqual([firedAt, 'failed', 1]);
      expect(job.failedReason).toBe(
        `MessagioEnvelopeError: Not a messagio envelope: "firedAt" must be an ISO-8601 date and time, such as 2026-01-02T03:04:05.678Z (got ${JSON.stringify(firedAt)}).`,
      );
    }
    const recorder = app.get(Recorder);
    await recorder.waitFor(1);
    expect(recorder.calls.map((c) => c.context.messageId)).toEqual(['good-date']);
    expect(recorder.calls[0]!.context.firedAt.toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });
});

describe('envelope guard on the worker (memory)', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('fails a stored firedAt that is not a date at once, without running the listener', async () => {
    app = await createApp({ transport: 'memory', providers: [Listeners] });
    const transport = memoryTransportOf(app);
    await transport.enqueue(
      BAD_DATES.map((firedAt, i) => ({
        id: `bad-date-${i}|note`,
        envelope: envelope(`bad-date-${i}`, { firedAt }) as MessagioEnvelope,
        priority: 5,
        attempts: 6,
        backoff: { type: 'fixed' as const, delay: 10 },
        delay: 0,
      })),
    );
    await transport.idle();
    const states = await transport.inspect(BAD_DATES.map((_, i) => `bad-date-${i}|note`));
    expect(states.map((s) => [s.status, s.attempts])).toEqual(BAD_DATES.map(() => ['failed', 1]));
    expect(states.map((s) => s.error)).toEqual(
      BAD_DATES.map((firedAt) => `MessagioEnvelopeError: Not a messagio envelope: "firedAt" must be an ISO-8601 date and time, such as 2026-01-02T03:04:05.678Z (got ${JSON.stringify(firedAt)}).`),
    );
    expect(app.get(Recorder).calls).toHaveLength(0);
  });
});
