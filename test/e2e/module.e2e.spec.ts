import { Inject, Injectable, Module } from '@nestjs/common';
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import {
  MESSAGIO_QUEUE,
  MessagioConfigurationError,
  MessagioModule,
  MessagioPublisher,
  type Delivery,
  type DeliveryHandler,
  type MessagioTransport,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Listeners } from './fixtures/listeners.js';
import { Recorder } from './fixtures/recorder.js';
import { queueOf, settled } from '../support/jobs.js';
import { redisClient, redisConnection, uniqueQueue } from '../support/redis.js';


const CONFIG = 'CONFIG';
@Module({ providers: [{ provide: CONFIG, useValue: { redis: redisConnectionLazy } }], exports: [CONFIG] })
class ConfigModule {}
function redisConnectionLazy() {
  return redisConnection();
}

describe('MessagioModule', () => {
  let app: TestingModule | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('forRootAsync builds options from a factory with injected dependencies', async () => {
    const queueName = uniqueQueue('async');
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagioModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (config: { redis: () => { host: string; port: number } }) => ({ connection: config.redis(), queueName }),
        }),
      ],
      providers: [Recorder, Listeners],
    }).compile();
    app = await moduleRef.init();
    await app.get(MessagioPublisher).fire(new PerformAction('async', 1));
    await app.get(Recorder).waitFor(1);
    expect(queueOf(app).name).toBe(queueName);
  });

  it('forRootAsync refuses a factory whose transport disagrees with the declared one', async () => {
    const error = await Test.createTestingModule({
      imports: [MessagioModule.forRootAsync({ useFactory: () => ({ transport: 'memory' }) })],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(/transport: 'bullmq'.*'memory'/);
  });

  it('uses queueName and prefix for the BullMQ keys, and accepts a redis:// URL', async () => {
    const queueName = uniqueQueue('named');
    const { host, port } = redisConnection();
    app = await createApp({ providers: [Listeners], queueName, prefix: 'mtest', connection: `redis://${host}:${port}` });
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('keys', 1));
    await settled(queueOf(app), `${receipt.messageId}|Listeners.run`);
    const redis = redisClient();
    try {
      const keys = await redis.keys(`mtest:${queueName}:*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(await redis.exists(`mtest:${queueName}:${receipt.messageId}|Listeners.run`)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('worker: false publishes without consuming; another process with a worker runs the deliveries', async () => {
    const queueName = uniqueQueue('split');
    const web = await createApp({ providers: [Listeners], queueName, worker: false });
    try {
      const receipt = await web.get(MessagioPublisher).fire(new PerformAction('web', 1));
      await new Promise((r) => setTimeout(r, 200));
      expect(web.get(Recorder).calls).toHaveLength(0);
      // One listener, one priority: the job waits in BullMQ's FIFO list (no BullMQ priority needed).
      expect(await queueOf(web).getJob(`${receipt.messageId}|Listeners.run`).then((j) => j?.getState())).toBe('waiting');
      app = await createApp({ providers: [Listeners], queueName, worker: { concurrency: 4 } });
      await app.get(Recorder).waitFor(1);
      expect(app.get(Recorder).calls[0]!.context.messageId).toBe(receipt.messageId);
    } finally {
      await web.close();
    }
  });

  it('bounds job retention by default and passes removeOnComplete/removeOnFail through', async () => {
    app = await createApp({ providers: [Listeners] });
    const r1 = await app.get(MessagioPublisher).fire(new PerformAction('keep', 1));
    const job = await settled(queueOf(app), `${r1.messageId}|Listeners.run`);
    expect(job.opts.removeOnComplete).toEqual({ count: 1000, age: 86400 });
    expect(job.opts.removeOnFail).toEqual({ count: 10000, age: 604800 });
    await app.close();

    app = await createApp({ providers: [Listeners], removeOnComplete: true, removeOnFail: 5 });
    const r2 = await app.get(MessagioPublisher).fire(new PerformAction('drop', 1));
    await app.get(Recorder).waitFor(1);
    const queue = queueOf(app);
    await new Promise((r) => setTimeout(r, 100));
    expect(await queue.getJob(`${r2.messageId}|Listeners.run`)).toBeUndefined();
  });

  it('registers the queue with @nestjs/bullmq: @InjectQueue works and BullModule.forRoot’s connection is reused', async () => {
    @Injectable()
    class Dashboard {
      constructor(@InjectQueue(MESSAGIO_QUEUE) readonly queue: Queue) {}
    }
    const queueName = uniqueQueue('bull');
    const moduleRef = await Test.createTestingModule({
      imports: [BullModule.forRoot({ connection: redisConnection() }), MessagioModule.forRoot({ queueName })],
      providers: [Recorder, Listeners, Dashboard],
    }).compile();
    app = await moduleRef.init();
    const queue = app.get(Dashboard).queue;
    expect(queue.name).toBe(queueName);
    expect(queue).toBe(queueOf(app));
    const receipt = await app.get(MessagioPublisher).fire(new PerformAction('bull', 1));
    const job = await settled(queue, `${receipt.messageId}|Listeners.run`);
    expect(await job.getState()).toBe('completed');
    expect(app.get(Recorder).calls).toHaveLength(1);
  });

  it('fails bootstrap with a clear error when no connection is configured anywhere', async () => {
    const error = await Test.createTestingModule({ imports: [MessagioModule.forRoot()] })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(/needs a Redis connection.*BullModule\.forRoot/);
  });

  it.each([
    [{ transport: 'kafka' }, /transport must be/],
    [{ worker: { concurrency: 0 } }, /concurrency/],
    [{ queueName: 'a:b' }, /queueName/],
    [{ defaultListenerOptions: { maxRetries: -1 } }, /maxRetries/],
  ])('refuses bad options %p', async (options, pattern) => {
    const error = await Test.createTestingModule({ imports: [MessagioModule.forRoot(options as never)] })
      .compile()
      .then((m) => m.init())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(pattern);
  });

  it('accepts a transport of the app’s own', async () => {
    class ListTransport implements MessagioTransport {
      readonly name = 'list';
      stored: Delivery[] = [];
      handler?: DeliveryHandler;
      closed = false;
      async enqueue(deliveries: Delivery[]) {
        this.stored.push(...deliveries);
      }
      async start(handler: DeliveryHandler) {
        this.handler = handler;
      }
      async close() {
        this.closed = true;
      }
    }
    const transport = new ListTransport();
    @Injectable()
    class Uses {
      constructor(@Inject(MessagioPublisher) readonly publisher: MessagioPublisher) {}
    }
    app = await createApp({ transport, providers: [Listeners, Uses] });
    const receipt = await app.get(Uses).publisher.fire(new PerformAction('own', 1));
    expect(transport.stored.map((d) => d.id)).toEqual([`${receipt.messageId}|Listeners.run`]);
    const outcome = await transport.handler!(JSON.parse(JSON.stringify(transport.stored[0]!.envelope)), { attempt: 1, transport: 'list' });
    expect(outcome.status).toBe('completed');
    expect(app.get(Recorder).calls[0]!.context.transport).toBe('list');
    await app.close();
    app = undefined;
    expect(transport.closed).toBe(true);
  });
});
