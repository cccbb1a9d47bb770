import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  MessageCenter,
  Messagio,
  MessagioConfigurationError,
  OnMessagio,
  type MessagioClass,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { TRANSPORTS } from './fixtures/transports.js';

class Shipping {
  @IsString() carrier!: string;
  @IsDate() sentAt!: Date; // no @Type: rebuilt as a string
}

class OrderShipped extends Messagio {
  @IsDate() shippedAt!: Date; // no @Type: rebuilt as a string
  @IsDate() @Type(() => Date) paidAt!: Date;
  @IsOptional() @Transform(({ value }) => (value === undefined ? undefined : new Date(value as string))) seenAt?: Date;
  @ValidateNested() @Type(() => Shipping) shipping!: Shipping;

  constructor(at: Date) {
    super();
    this.shippedAt = at;
    this.paidAt = at;
    this.shipping = Object.assign(new Shipping(), { carrier: 'post', sentAt: at });
  }
}

@Injectable()
class ShippingListeners {
  @OnMessagio(OrderShipped, { id: 'notify' }) notify() {}
  @OnMessagio(OrderShipped, { id: 'invoice' }) invoice() {}
}

class NotAMessage {
  note = 'no Messagio here';
}

@Injectable()
class Confused {
  // Only a cast gets it past the types.
  @OnMessagio(NotAMessage as unknown as MessagioClass) onNote() {}
}

@Injectable()
class Failing {
  @OnMessagio(PerformAction, { id: 'once' }) once() {
    throw new Error('boom once');
  }

  @OnMessagio(PerformAction, { id: 'twice', maxRetries: 1, retryDelay: 1 }) twice() {
    throw new Error('boom twice');
  }
}

describe('bootstrap warnings that save an hour', () => {
  let app: TestingModule | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('warns once per class for each Date property without @Type(() => Date), nested classes included, naming the fix', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      app = await createApp({ transport: 'memory', providers: [ShippingListeners] });
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('declared as a Date'));
      // Two listeners subscribe: each property is reported once.
      expect(lines).toEqual([
        'OrderShipped.shippedAt is declared as a Date without @Type(() => Date): a message travels as JSON, so its listeners would get an ISO string, ' +
          'and @IsDate() would fail every delivery on the worker ("must be a Date instance"). Add @Type(() => Date) (class-transformer) to OrderShipped.shippedAt.',
        'OrderShipped.shipping.sentAt is declared as a Date without @Type(() => Date): a message travels as JSON, so its listeners would get an ISO string, ' +
          'and @IsDate() would fail every delivery on the worker ("must be a Date instance"). Add @Type(() => Date) (class-transformer) to Shipping.sentAt.',
      ]);
    } finally {
      warn.mockRestore();
    }
    // What the warning announces: the fire succeeds, then the delivery fails on the worker.
    const receipt = await new OrderShipped(new Date('2026-01-02T03:04:05Z')).fire();
    const outcome = await receipt.wait({ timeout: 5000 });
    expect(outcome.ok).toBe(false);
    expect(JSON.stringify(outcome)).toContain('must be a Date instance');
  });

  it('a listener on a class that does not extend Messagio fails bootstrap, naming the listener and the class', async () => {
    const error = await createApp({ transport: 'memory', providers: [Confused] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toBe(
      'Listener "Confused.onNote" subscribes to NotAMessage, which does not extend Messagio: it can never be fired. ' +
        'Declare it as `class NotAMessage extends Messagio`.',
    );
  });

  it('MessageCenter.subscribe to a class that does not extend Messagio throws the same error', async () => {
    app = await createApp({ transport: 'memory' });
    expect(() => app!.get(MessageCenter).subscribe(NotAMessage as unknown as MessagioClass, () => undefined, { id: 'notes' })).toThrow(
      'MessageCenter.subscribe("notes") subscribes to NotAMessage, which does not extend Messagio: it can never be fired. ' +
        'Declare it as `class NotAMessage extends Messagio`.',
    );
  });

  it('the routes error lists the known queues', async () => {
    const error = await createApp({ transport: 'memory', queueName: 'main', queues: { critical: {} }, routes: { 'orders.*': 'bulk' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toBe(
      `routes: 'orders.*' sends messages to queue "bulk", which is not declared, so no worker could ever consume it. ` +
        'Add it to `queues` (known: main, critical).',
    );
  });

  describe.each(TRANSPORTS)('the final failure log line (%s)', (transport) => {
    it('says "no retries configured" with maxRetries: 0, and "retries exhausted" only when retries ran out', async () => {
      const error = jest.spyOn(Logger.prototype, 'error');
      try {
        app = await createApp({ transport, providers: [Failing] });
        const receipt = await new PerformAction('fail', 1).fire();
        await receipt.wait({ timeout: 10_000 });
        const lines = error.mock.calls.map((c) => String(c[0])).filter((l) => l.includes(receipt.messageId));
        const once = lines.filter((l) => l.startsWith('once failed for good'));
        const twice = lines.filter((l) => l.startsWith('twice failed for good'));
        expect(once).toHaveLength(1);
        expect(once[0]).toContain(', attempt 1, no retries configured (maxRetries: 0)): Error: boom once');
        expect(twice).toHaveLength(1);
        expect(twice[0]).toContain(', attempt 2, retries exhausted): Error: boom twice');
      } finally {
        error.mockRestore();
      }
    });
  });
});
