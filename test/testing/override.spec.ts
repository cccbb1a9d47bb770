import { jest } from '@jest/globals';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Injectable, Logger, Module, type Type } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  MESSAGIO_QUEUE,
  MESSAGIO_TRANSPORT,
  MessagioModule,
  MessagioNoListenersError,
  MessagioPublisher,
  OnMessagio,
  type MessagioModuleOptions,
} from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestTransport, MessagioTestingModule, freePort } from '../../lib/testing/index.js';
import { redisConnection, uniqueQueue } from '../support/redis.js';
import { Journal, OrderArchived, OrderListeners, OrderPlaced, OrderShipped, ShippingListeners } from './fixtures.js';

/** A TCP proxy to the test redis-server that counts the connections made through it. */
async function countingProxy(): Promise<{ port: number; readonly connections: number; close(): Promise<void> }> {
  const target = redisConnection();
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    get connections() {
      return connections;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

@Module({ providers: [Journal, OrderListeners, ShippingListeners], exports: [Journal] })
class OrdersModule {}

/** An ordinary app: MessagioModule.forRoot({ connection }) in its root module, listeners in a feature module. */
function appModule(messagio: MessagioModuleOptions, async = false): Type {
  @Module({
    imports: [
      async ? MessagioModule.forRootAsync({ useFactory: () => messagio }) : MessagioModule.forRoot(messagio),
      OrdersModule,
    ],
  })
  class AppModule {}
  return AppModule;
}

describe('overrideModule(MessagioModule).useModule(MessagioTestingModule.forRoot())', () => {
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  beforeEach(async () => {
    proxy = await countingProxy();
  });
  afterEach(async () => proxy.close());

  it('control: the same app without the override runs over BullMQ through the proxy', async () => {
    const AppModule = appModule({ connection: { host: '127.0.0.1', port: proxy.port }, queueName: uniqueQueue('override') });
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    try {
      const receipt = await app.get(MessagioPublisher).fire(new OrderArchived('X-1'));
      expect(await receipt.wait({ timeout: 10_000 })).toMatchObject({ ok: true });
      expect(app.get(getQueueToken(MESSAGIO_QUEUE), { strict: false })).toBeDefined();
    } finally {
      await app.close();
    }
    expect(proxy.connections).toBeGreaterThan(0);
  });

  it.each([
    ['forRoot', false],
    ['forRootAsync', true],
  ])('swaps the BullMQ part of an unchanged app (%s): the real pipeline runs, Redis is never contacted', async (_name, async) => {
    const AppModule = appModule({ connection: { host: '127.0.0.1', port: proxy.port }, queueName: uniqueQueue('override') }, async);
    const app: TestingModule = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(MessagioModule)
      .useModule(MessagioTestingModule.forRoot())
      .compile();
    await app.init();
    const harness = app.get(MessagioTestHarness);
    expect(app.get(MESSAGIO_TRANSPORT)).toBeInstanceOf(MessagioTestTransport);
    expect(() => app.get(getQueueToken(MESSAGIO_QUEUE), { strict: false })).toThrow();

    await app.get(MessagioPublisher).fire(new OrderPlaced('X-2'));
    await harness.drain();
    expect(harness.handled(OrderPlaced).map((d) => d.listener)).toEqual(['stock', 'billing', 'audit']);
    expect(harness.handled(OrderShipped).map((d) => d.listener)).toEqual(['notify', 'audit']);
    expect(harness.handled(OrderArchived, 'archive')[0]!.transport).toBe('test');

    await app.close();
    expect(proxy.connections).toBe(0);
  });
});

describe('an app pointed at a closed port', () => {
  it('with the override: no connection error, no warning, a clean close', async () => {
    const port = await freePort(); // nothing listens there
    const errors = jest.spyOn(Logger.prototype, 'error');
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const staticErrors = jest.spyOn(Logger, 'error');
    try {
      // The startup report (which warns of these fixtures' unversioned types) is not what this test is about.
      const app = await Test.createTestingModule({ imports: [appModule({ connection: { host: '127.0.0.1', port }, startupReport: 'off' })] })
        .overrideModule(MessagioModule)
        .useModule(MessagioTestingModule.forRoot())
        .compile();
      await app.init();
      await app.get(MessagioPublisher).fire(new OrderPlaced('Y-1'));
      const summary = await app.get(MessagioTestHarness).drain();
      expect(summary).toMatchObject({ completed: 6, failed: 0, pending: 0 });
      await expect(app.close()).resolves.toBeUndefined();
      expect(errors).not.toHaveBeenCalled();
      expect(staticErrors).not.toHaveBeenCalled();
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      warnings.mockRestore();
      staticErrors.mockRestore();
    }
  });
});

describe('options', () => {
  @Injectable()
  class Flaky {
    attempts: number[] = [];
    @OnMessagio(OrderArchived, { id: 'flaky' }) run(_m: OrderArchived, ctx: { attempt: number }) {
      this.attempts.push(ctx.attempt);
      throw new Error('always');
    }
  }

  it("the testing module's options are laid over the app's; the app's others stay", async () => {
    @Module({
      imports: [MessagioModule.forRoot({ connection: { host: '127.0.0.1', port: 1 }, defaultListenerOptions: { maxRetries: 2, retryDelay: 5000 } })],
      providers: [Flaky],
    })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(MessagioModule)
      .useModule(MessagioTestingModule.forRoot({ strict: true }))
      .compile();
    await app.init();
    try {
      const harness = app.get(MessagioTestHarness);
      await app.get(MessagioPublisher).fire(new OrderArchived('Z-1'));
      expect(await harness.drain()).toMatchObject({ retried: 2, failed: 1, elapsed: 10_000 });
      expect(app.get(Flaky).attempts).toEqual([1, 2, 3]);
      await expect(app.get(MessagioPublisher).fire(new OrderShipped('Z-1'))).rejects.toBeInstanceOf(MessagioNoListenersError);
    } finally {
      await app.close();
    }
  });
});
