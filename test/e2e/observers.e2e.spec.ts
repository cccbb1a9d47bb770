import { jest } from '@jest/globals';
import { runInThisContext } from 'node:vm';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioObservers,
  MessagioPublisher,
  OnMessagio,
  type MessagioObserver,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { FatalError, PerformAction, TimeoutError } from './fixtures/messages.js';
import { TRANSPORTS } from './fixtures/transports.js';

@Injectable()
class Work {
  private attempts = 0;
  @OnMessagio(PerformAction, { id: 'slow' }) async slow() {
    await new Promise((r) => setTimeout(r, 30));
  }
  @OnMessagio(PerformAction, { id: 'flaky', retryOn: [TimeoutError], maxRetries: 1, retryDelay: 5 }) flaky() {
    if (++this.attempts === 1) throw new TimeoutError('once');
  }
  @OnMessagio(PerformAction, { id: 'broken' }) broken() {
    throw new FatalError('always');
  }
}

/** Records every hook call, as a metrics or logging plug-in would. */
function recorder() {
  const events: Array<{ hook: string; listener?: string; durationMs?: number; error?: string; delay?: number; type?: string }> = [];
  const observer: MessagioObserver = {
    fired: (e) => events.push({ hook: 'fired', type: e.type }),
    started: (e) => events.push({ hook: 'started', listener: e.envelope?.listener }),
    completed: (e) => events.push({ hook: 'completed', listener: e.envelope?.listener, durationMs: e.durationMs }),
    retrying: (e) => events.push({ hook: 'retrying', listener: e.envelope?.listener, durationMs: e.durationMs, error: e.error.message, delay: e.delay }),
    failed: (e) => events.push({ hook: 'failed', listener: e.envelope?.listener, durationMs: e.durationMs, error: e.error.message }),
  };
  return { events, observer };
}

describe.each(TRANSPORTS)('observers (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('sees fired, started, completed, retrying and failed, with timings', async () => {
    const { events, observer } = recorder();
    app = await createApp({ transport, providers: [Work], observers: [observer] });
    await (await app.get(MessagioPublisher).fire(new PerformAction('watch', 1))).wait();
    expect(events.filter((e) => e.hook === 'fired')).toEqual([{ hook: 'fired', type: 'orders.perform-action' }]);
    // `fired` is reported once the deliveries are stored: a worker may already
    // have taken one (the memory transport starts it inside enqueue(); a BullMQ
    // worker fetching at that moment gets it in the same Redis turn), so a
    // `started` may come first (docs/observability.md). Each delivery's own
    // events are in order, below.
    const of = (listener: string) => events.filter((e) => e.listener === listener).map((e) => e.hook);
    expect(of('slow')).toEqual(['started', 'completed']);
    expect(of('flaky')).toEqual(['started', 'retrying', 'started', 'completed']);
    expect(of('broken')).toEqual(['started', 'failed']);
    const slow = events.find((e) => e.listener === 'slow' && e.hook === 'completed')!;
    expect(slow.durationMs).toBeGreaterThanOrEqual(25);
    expect(events.find((e) => e.hook === 'retrying')).toMatchObject({ error: 'once', delay: 5 });
    expect(events.find((e) => e.hook === 'failed')).toMatchObject({ error: 'always' });
  });

  it('can be added and removed at run time, and an observer that throws changes nothing', async () => {
    app = await createApp({ transport, providers: [Work] });
    const observers = app.get(MessagioObservers);
    const { events, observer } = recorder();
    observers.add({ completed: () => { throw new Error('observer bug'); } });
    const remove = observers.add(observer);
    const outcome = await (await app.get(MessagioPublisher).fire(new PerformAction('throwing observer', 1))).wait();
    expect(outcome.deliveries.map((d) => [d.listener, d.status])).toEqual([
      ['slow', 'completed'],
      ['flaky', 'completed'],
      ['broken', 'failed'],
    ]);
    expect(events.filter((e) => e.hook === 'completed')).toHaveLength(2);
    remove();
    const before = events.length;
    await (await app.get(MessagioPublisher).fire(new PerformAction('unobserved', 2))).wait();
    expect(events.length).toBe(before);
  });

  it('an async observer that rejects is logged and ignored: no unhandled rejection, deliveries unaffected', async () => {
    // Node emits unhandledRejection on the real process, not on the sandbox's
    // `process` that Jest gives a test: probe the real one.
    const realProcess = runInThisContext('process') as NodeJS.Process;
    const leaked: unknown[] = [];
    const probe = (reason: unknown) => leaked.push(reason);
    realProcess.on('unhandledRejection', probe);
    const logged = jest.spyOn(Logger.prototype, 'error');
    try {
      // A metrics backend that is down: every hook is async and rejects.
      const down = (hook: string) => async () => {
        throw new Error(`metrics backend down (${hook})`);
      };
      const observer: MessagioObserver = { fired: down('fired'), started: down('started'), completed: down('completed'), retrying: down('retrying'), failed: down('failed') };
      app = await createApp({ transport, providers: [Work], observers: [observer] });
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('observed by a broken backend', 1));
      const outcome = await receipt.wait();
      expect(outcome.deliveries.map((d) => [d.listener, d.status, d.attempts])).toEqual([
        ['slow', 'completed', 1],
        ['flaky', 'completed', 2],
        ['broken', 'failed', 1],
      ]);
      // Rejections surface on a later turn of the event loop: give them one.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(leaked).toEqual([]);
      const lines = logged.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('A MessagioObserver'));
      for (const hook of ['fired', 'started', 'completed', 'retrying', 'failed']) {
        expect(lines).toContain(`A MessagioObserver threw in ${hook}: metrics backend down (${hook})`);
      }
    } finally {
      realProcess.off('unhandledRejection', probe);
      logged.mockRestore();
    }
  });
});
