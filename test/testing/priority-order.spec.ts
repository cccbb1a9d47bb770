import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Messagio,
  MessagioContext,
  MessagioModule,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
  type MessagioFiredEvent,
  type MessagioReceipt,
} from '../../lib/index.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';
import { pause, resume } from '../e2e/fixtures/transports.js';
import { redisConnection, uniqueQueue } from '../support/redis.js';

// The claim of docs/listeners.md ("Priorities order a whole queue"), on the
// harness, the memory transport and BullMQ over redis-server: priority orders
// every delivery waiting in a queue, not only one message's listeners, so a
// follow-up fired by a listener runs before lower-priority listeners of the
// message that caused it.

@MessagioType('priority.order-placed')
class OrderPlaced extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@MessagioType('priority.payment-taken')
class PaymentTaken extends Messagio {
  @IsString() orderId: string;
  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

@Injectable()
class Calls {
  readonly order: string[] = [];
}

@Injectable()
class OrderListeners {
  constructor(private readonly calls: Calls) {}

  @OnMessagio(OrderPlaced, { id: 'payment', priority: 9 })
  async payment(order: OrderPlaced, ctx: MessagioContext) {
    this.calls.order.push(ctx.listener);
    await new PaymentTaken(order.orderId).fire();
  }

  @OnMessagio(OrderPlaced, { id: 'email', priority: 5 })
  email(_order: OrderPlaced, ctx: MessagioContext) {
    this.calls.order.push(ctx.listener);
  }

  @OnMessagio(OrderPlaced, { id: 'audit', priority: 0 })
  audit(_order: OrderPlaced, ctx: MessagioContext) {
    this.calls.order.push(ctx.listener);
  }

  @OnMessagio(PaymentTaken, { id: 'receipt', priority: 7 })
  receipt(_payment: PaymentTaken, ctx: MessagioContext) {
    this.calls.order.push(ctx.listener);
  }
}

// payment (9) fires PaymentTaken while email (5) and audit (0) wait: its
// listener (7) is ordered with them, ahead of both.
const QUEUE_WIDE = ['payment', 'receipt', 'email', 'audit'];

describe('priority orders every delivery waiting in a queue, follow-ups included', () => {
  it('on the harness: drain() runs the follow-up before the lower-priority listeners of its cause', async () => {
    const app = await Test.createTestingModule({
      imports: [MessagioTestingModule.forRoot()],
      providers: [Calls, OrderListeners],
    }).compile();
    await app.init();
    try {
      await app.get(MessagioPublisher).fire(new OrderPlaced('A-1'));
      await app.get(MessagioTestHarness).drain();
      expect(app.get(Calls).order).toEqual(QUEUE_WIDE);
    } finally {
      await app.close();
    }
  });

  it.each(['memory', 'bullmq'] as const)('on the %s transport, one delivery at a time', async (transport) => {
    const fired: MessagioReceipt[] = [];
    const observer = { fired: (event: MessagioFiredEvent) => fired.push(event.receipt as MessagioReceipt) };
    const app: TestingModule = await Test.createTestingModule({
      imports: [
        MessagioModule.forRoot({
          transport,
          ...(transport === 'bullmq' ? { connection: redisConnection(), queueName: uniqueQueue('priority') } : {}),
          worker: { concurrency: 1 },
          observers: [observer],
        }),
      ],
      providers: [Calls, OrderListeners],
    }).compile();
    await app.init();
    try {
      // Paused, so that the three deliveries are all waiting when the worker starts.
      await pause(app);
      await app.get(MessagioPublisher).fire(new OrderPlaced('A-1'));
      await resume(app);
      await fired[0]!.wait({ timeout: 15_000 });
      expect(fired).toHaveLength(2);
      await fired[1]!.wait({ timeout: 15_000 });
      expect(app.get(Calls).order).toEqual(QUEUE_WIDE);
    } finally {
      await app.close();
    }
  });
});
