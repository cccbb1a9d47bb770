// MESSAGIO_CONTRACTS_ONLY=1: an app boots to be read (by the contracts command), not to run:
// the memory transport whatever its options, nothing consumed, no Redis needed.
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { BullMqTransport, CONTRACTS_ONLY_ENV, MemoryTransport, Messagio, MessagioModule, MessagioPublisher, MESSAGIO_TRANSPORT, OnMessagio } from '../../lib/index.js';
import { redisConnection } from '../support/redis.js';

class Ping extends Messagio {
  @IsString() text = 'ping';
}

@Injectable()
class PingListener {
  readonly seen: Ping[] = [];
  @OnMessagio(Ping, { id: 'ping' }) on(message: Ping): void {
    this.seen.push(message);
  }
}

// Nothing listens on port 1: a module that tried to reach it would fail, or hang, at boot.
const nowhere = { connection: { host: '127.0.0.1', port: 1 }, startupReport: 'off' as const };

describe(`${CONTRACTS_ONLY_ENV}=1`, () => {
  afterEach(() => {
    delete process.env[CONTRACTS_ONLY_ENV];
  });

  it.each([
    ['forRoot', () => MessagioModule.forRoot(nowhere)],
    ['forRootAsync', () => MessagioModule.forRootAsync({ useFactory: () => nowhere })],
  ])('boots a %s app on the memory transport without Redis, and consumes nothing', async (_label, messagio) => {
    process.env[CONTRACTS_ONLY_ENV] = '1';
    const app = await Test.createTestingModule({ imports: [messagio()], providers: [PingListener] }).compile();
    await app.init();
    try {
      const transport = app.get(MESSAGIO_TRANSPORT);
      expect(transport).toBeInstanceOf(MemoryTransport);
      const receipt = await app.get(MessagioPublisher).fire(new Ping());
      await new Promise((r) => setTimeout(r, 100));
      expect(app.get(PingListener).seen).toEqual([]);
      expect((await (transport as MemoryTransport).inspect([`${receipt.messageId}|ping`]))[0]!.status).toBe('queued');
    } finally {
      await app.close();
    }
  });

  it('is read when forRoot() is called: without it, the same app gets the BullMQ transport', async () => {
    const app = await Test.createTestingModule({ imports: [MessagioModule.forRoot({ connection: redisConnection(), startupReport: 'off' })] }).compile();
    await app.init();
    try {
      expect(app.get(MESSAGIO_TRANSPORT)).toBeInstanceOf(BullMqTransport);
    } finally {
      await app.close();
    }
  });
});
