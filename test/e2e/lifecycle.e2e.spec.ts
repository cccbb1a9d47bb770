import { spawnSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import {
  MESSAGIO_TRANSPORT,
  MessagioContext,
  MessagioPublisher,
  OnMessagio,
  type MessagioTransport,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { redisConnection } from '../support/redis.js';

@Injectable()
class Slow {
  static finished = 0;
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(PerformAction) async run(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('slow', msg, ctx);
    await new Promise((r) => setTimeout(r, 400));
    Slow.finished++;
  }
}

describe.each(TRANSPORTS)('lifecycle (%s)', (transport) => {
  it('app.close() stops taking work and waits for the listener in flight', async () => {
    Slow.finished = 0;
    const app = await createApp({ transport, providers: [Slow] });
    await app.get(MessagioPublisher).fire(new PerformAction('in-flight', 1));
    await app.get(Recorder).waitFor(1);
    await app.close();
    expect(Slow.finished).toBe(1);
  });

  // A Node timer longer than 2³¹−1 ms fires after 1 ms: the shutdown waits of both transports
  // are chained timers (settle-within.ts, on ClockTimer), which honour any timeout.
  it('a shutdownTimeout past 2³¹−1 ms still waits for the listener in flight, and warns of nothing', async () => {
    Slow.finished = 0;
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const app = await createApp({ transport, providers: [Slow], shutdownTimeout: 2 ** 31 });
      await app.get(MessagioPublisher).fire(new PerformAction('long-timeout', 1));
      await app.get(Recorder).waitFor(1);
      await app.close();
      expect(Slow.finished).toBe(1);
      expect(warn.mock.calls.map(([line]) => String(line)).filter((line) => /shutdownTimeout|not closed after/.test(line))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('starts consuming only after discovery (start comes after every onModuleInit)', async () => {
    const app = await createApp({ transport, providers: [Slow], init: false });
    const t = app.get<MessagioTransport>(MESSAGIO_TRANSPORT);
    const original = t.start.bind(t);
    let listenersAtStart: string[] | undefined;
    t.start = async (handler) => {
      listenersAtStart = (await app.get(MessagioPublisher).fire(new PerformAction('probe', 1), { sync: true })).listeners;
      return original(handler);
    };
    await app.init();
    expect(listenersAtStart).toEqual(['Slow.run']);
    await app.close();
  });
});

describe('shutdown order over BullMQ', () => {
  it('closes the worker before the queue, and leaves no open handle: a process exits by itself', () => {
    const { port } = redisConnection();
    // A separate Node process builds an app on the built package, handles a message, closes,
    // and must then exit on its own (no process.exit): anything left open would keep it alive.
    const script = `
      import 'reflect-metadata';
      import { Injectable, Module } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import { MessagioModule, Messagio, OnMessagio, MessagioPublisher } from 'nestjs-messagio';
      class Ping extends Messagio { constructor(n) { super(); this.n = n; } }
      let handled = 0;
      class L { run() { handled++; } }
      OnMessagio(Ping)(L.prototype, 'run', Object.getOwnPropertyDescriptor(L.prototype, 'run'));
      Injectable()(L);
      class App {}
      Module({ imports: [MessagioModule.forRoot({ connection: { host: '127.0.0.1', port: ${port} }, queueName: 'exit-${Date.now()}' })], providers: [L] })(App);
      const app = await NestFactory.createApplicationContext(App, { logger: false });
      await app.get(MessagioPublisher).fire(new Ping(1));
      while (handled === 0) await new Promise((r) => setTimeout(r, 10));
      await app.close();
      console.log('closed, handled=' + handled);
    `;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('closed, handled=1');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('the queue is closed after the worker: no job is left active', async () => {
    const app = await createApp({ providers: [Slow] });
    const queue = queueOf(app);
    await app.get(MessagioPublisher).fire(new PerformAction('x', 1));
    await app.get(Recorder).waitFor(1);
    const counts = queue.getJobCounts('active');
    expect(await counts).toEqual({ active: 1 });
    await app.close();
    // Closed queue: a fresh app on the same queue name sees the job completed, none active.
    const again = await createApp({ providers: [Slow], queueName: queue.name, worker: false });
    expect(await queueOf(again).getJobCounts('active', 'completed')).toEqual({ active: 0, completed: 1 });
    await again.close();
  });
});

describe('shutdown when Redis went away', () => {
  // ioredis keeps a 2 s socket-destroy timer after a forced disconnect: let it run out.
  afterAll(() => new Promise((resolve) => setTimeout(resolve, 2100)));

  it('app.close() is bounded even when Redis died while the app was connected', async () => {
    const { startRedisServer } = await import('../../lib/testing/redis-server.js');
    const redis = await startRedisServer();
    const app = await createApp({ providers: [Slow], connection: { host: '127.0.0.1', port: redis.port }, shutdownTimeout: 1000 });
    await (await app.get(MessagioPublisher).fire(new PerformAction('before', 1))).wait();
    await redis.stop();
    const started = Date.now();
    await app.close();
    // shutdownTimeout, then at most 2 s each to disconnect the worker and the queue.
    expect(Date.now() - started).toBeLessThan(8000);
  }, 20_000);
});
