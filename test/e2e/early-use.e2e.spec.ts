import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { MessagioModule, MessagioNotInitializedError, MessagioPublisher } from '../../lib/index.js';
import { MessagioTestingModule } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { Listeners } from './fixtures/listeners.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';

/** The error a fire made too early rejects with, checked to say what to do. */
function notInitialised(error: unknown, call: string): void {
  expect(error).toBeInstanceOf(MessagioNotInitializedError);
  const { message } = error as Error;
  expect(message).toContain(`${call} was called before the application was initialised`);
  expect(message).toContain('Await app.init() first');
  expect(message).toContain('NestFactory.create() does not run it');
  expect(message).toContain('await moduleRef.init()');
}

// Listeners are discovered by app.init(): a fire before it would reach none of
// them. It used to resolve with `listeners: []` (and warn that nobody listens,
// although somebody does); it is an error that says what to do.
describe.each(TRANSPORTS)('a fire before app.init() (%s)', (transport) => {
  it('Test.createTestingModule(...).compile() without init(): fire, fireMany and message.fire() reject; after init() they reach the listener', async () => {
    const app = await createApp({ transport, providers: [Listeners], init: false });
    try {
      const publisher = app.get(MessagioPublisher);
      notInitialised(await publisher.fire(new PerformAction('early', 1)).catch((e: unknown) => e), 'publisher.fire()');
      notInitialised(await publisher.fireMany([new PerformAction('early', 2)]).catch((e: unknown) => e), 'publisher.fireMany()');
      // message.fire() finds no initialised app at all.
      const viaMessage = await new PerformAction('early', 3).fire().catch((e: unknown) => e);
      expect(viaMessage).toBeInstanceOf(MessagioNotInitializedError);
      expect((viaMessage as Error).message).toContain('Await app.init() first');
      if (transport === 'bullmq') expect(await queueOf(app).count()).toBe(0); // nothing was stored

      await app.init();
      const receipt = await publisher.fire(new PerformAction('in-time', 4));
      expect(receipt.listeners).toEqual(['Listeners.run']);
      expect((await receipt.wait({ timeout: 10_000 })).ok).toBe(true);
      expect(app.get(Recorder).calls.map((c) => c.message)).toEqual([new PerformAction('in-time', 4)]);
    } finally {
      await app.close();
    }
  });
});

describe('a fire before init() in the testing module', () => {
  it('rejects with MessagioNotInitializedError instead of resolving with no listener, silently', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot()],
      providers: [Recorder, Listeners],
    }).compile();
    try {
      notInitialised(await moduleRef.get(MessagioPublisher).fire(new PerformAction('early', 1)).catch((e: unknown) => e), 'publisher.fire()');
      await moduleRef.init();
      expect((await moduleRef.get(MessagioPublisher).fire(new PerformAction('in-time', 2))).listeners).toEqual(['Listeners.run']);
    } finally {
      await moduleRef.close();
    }
  });
});

@Module({
  imports: [MessagioModule.forRoot({ transport: 'memory' })],
  providers: [Recorder, Listeners],
})
class AppModule {}

describe('a real app', () => {
  it('NestFactory.create() does not initialise the app: a fire rejects until app.init()', async () => {
    const app = await NestFactory.create(AppModule, { logger: false });
    try {
      notInitialised(await app.get(MessagioPublisher).fire(new PerformAction('early', 1)).catch((e: unknown) => e), 'publisher.fire()');
      await app.init();
      const receipt = await app.get(MessagioPublisher).fire(new PerformAction('in-time', 2));
      expect(receipt.listeners).toEqual(['Listeners.run']);
      expect((await receipt.wait({ timeout: 5000 })).ok).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('NestFactory.createApplicationContext() initialises it: fires reach the listener at once', async () => {
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const receipt = await new PerformAction('context', 1).fire();
      expect(receipt.listeners).toEqual(['Listeners.run']);
    } finally {
      await app.close();
    }
  });
});
