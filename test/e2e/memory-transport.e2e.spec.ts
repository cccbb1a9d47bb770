import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt } from 'class-validator';
import {
  Messagio,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
} from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { memoryTransportOf } from './fixtures/transports.js';

const DAY = 24 * 3600 * 1000;

@MessagioType('memory.tick')
class Tick extends Messagio {
  @IsInt() n: number;
  constructor(n: number) {
    super();
    this.n = n;
  }
}

describe('long delays and retry waits (over 2³¹−1 ms, ~24.8 days)', () => {
  @Injectable()
  class Patient {
    readonly attempts = new Map<number, number>();
    @OnMessagio(Tick, { id: 'patient', maxRetries: 1, retryDelay: 30 * DAY }) handle(tick: Tick) {
      const attempt = (this.attempts.get(tick.n) ?? 0) + 1;
      this.attempts.set(tick.n, attempt);
      // Tick 0 fails once and is retried 30 days later; the others complete.
      if (tick.n === 0 && attempt === 1) throw new Error('not yet');
    }
  }

  afterEach(() => jest.useRealTimers());

  it('sync mode: a retry 30 days away waits 30 days on the real clock (fake timers)', async () => {
    const app = await createApp({ transport: 'memory', worker: false, providers: [Patient] });
    try {
      const patient = app.get(Patient);
      jest.useFakeTimers();
      const fired = app.get(MessagioPublisher).fire(new Tick(0), { sync: true });
      await jest.advanceTimersByTimeAsync(25 * DAY);
      expect(patient.attempts.get(0)).toBe(1);
      await jest.advanceTimersByTimeAsync(5 * DAY);
      await fired;
      expect(patient.attempts.get(0)).toBe(2);
    } finally {
      jest.useRealTimers();
      await app.close();
    }
  });

  it('memory transport: a 30-day delay and a 30-day retry wait 30 days on the real clock (fake timers)', async () => {
    const app = await createApp({ transport: 'memory', providers: [Patient] });
    try {
      const patient = app.get(Patient);
      jest.useFakeTimers();
      const publisher = app.get(MessagioPublisher);
      await publisher.fire(new Tick(0)); // fails now, retried in 30 days
      await publisher.fire(new Tick(1), { delay: 30 * DAY });
      await jest.advanceTimersByTimeAsync(25 * DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 1 });
      expect(memoryTransportOf(app).pending()).toEqual({ waiting: 0, scheduled: 2, running: 0 });
      await jest.advanceTimersByTimeAsync(5 * DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 2, 1: 1 });
    } finally {
      jest.useRealTimers();
      await app.close();
    }
  });

  it('testing harness (virtual clock): a 30-day delay and retry have not run after 29 days, and run at 30', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [MessagioTestingModule.forRoot()], providers: [Patient] }).compile();
    await moduleRef.init();
    try {
      const harness = moduleRef.get(MessagioTestHarness);
      const patient = moduleRef.get(Patient);
      const publisher = moduleRef.get(MessagioPublisher);
      const start = harness.now().getTime();
      await publisher.fire(new Tick(0)); // fails at once, retried in 30 days
      await publisher.fire(new Tick(1), { delay: 30 * DAY });
      await harness.advance(29 * DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 1 });
      expect(harness.pending()).toBe(2);
      await harness.advance(DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 2, 1: 1 });
      expect(harness.pending()).toBe(0);
      expect(harness.now().getTime() - start).toBe(30 * DAY);
    } finally {
      await moduleRef.close();
    }
  });
});
