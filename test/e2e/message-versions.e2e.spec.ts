// Message versions and upcasters across deploys, with jobs really stored in Redis: an app on an
// older class fires (worker: false) and closes; an app on a newer class consumes what it stored.
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsIn, IsInt, IsString } from 'class-validator';
import {
  Messagio,
  MessagioConfigurationError,
  MessagioContext,
  MessagioFault,
  MessagioPublisher,
  MessagioType,
  MessagioUpcast,
  OnMessagio,
  type MessagioEnvelope,
} from '../../lib/index.js';
import { queueOf, settled } from '../support/jobs.js';
import { uniqueQueue } from '../support/redis.js';
import { createApp } from './fixtures/app.js';
import { memoryTransportOf } from './fixtures/transports.js';

/** What every upcaster of this file ran on, in order: upcasters are pure, this is the test's eye on them. */
const upcasts: string[] = [];

// Version 1, as an older deploy has it: the total in euros, the address under `email`.
@MessagioType('billing.invoice-issued')
class InvoiceIssuedV1 extends Messagio {
  @IsString() invoiceId: string;
  @IsInt() total: number;
  @IsString() email: string;
  constructor(invoiceId: string, total: number, email: string) {
    super();
    this.invoiceId = invoiceId;
    this.total = total;
    this.email = email;
  }
}

const fromV1 = ({ total, email, ...rest }: Record<string, unknown>) => {
  upcasts.push(`1→2 ${rest.invoiceId as string}`);
  return { ...rest, totalCents: (total as number) * 100, customerEmail: email };
};

// Version 2: cents, and a clearer name. Not a shape version 1's validation would accept.
@MessagioType('billing.invoice-issued', { version: 2 })
@MessagioUpcast(1, fromV1)
class InvoiceIssuedV2 extends Messagio {
  @IsString() invoiceId!: string;
  @IsInt() totalCents!: number;
  @IsString() customerEmail!: string;
}

// Version 3: a currency, required.
@MessagioType('billing.invoice-issued', { version: 3 })
@MessagioUpcast(1, fromV1)
@MessagioUpcast(2, (payload) => {
  upcasts.push(`2→3 ${payload.invoiceId as string}`);
  payload.currency = 'EUR'; // changing its own copy in place is fine
  return payload;
})
class InvoiceIssuedV3 extends Messagio {
  @IsString() invoiceId!: string;
  @IsInt() totalCents!: number;
  @IsString() customerEmail!: string;
  @IsIn(['EUR', 'USD']) currency!: string;
}

/** What the listeners of every version got, for the current test. */
const handled: Array<{ message: Messagio; type: string }> = [];
const faults: MessagioFault[] = [];

// One listener id, "invoices", in every version of the app: deployments of one service.
@Injectable()
class InvoicesV1 {
  @OnMessagio(InvoiceIssuedV1, { id: 'invoices', maxRetries: 3, retryDelay: 10 }) on(message: InvoiceIssuedV1, ctx: MessagioContext) {
    handled.push({ message, type: ctx.type });
  }
}
@Injectable()
class InvoicesV2 {
  @OnMessagio(InvoiceIssuedV2, { id: 'invoices', maxRetries: 3, retryDelay: 10 }) on(message: InvoiceIssuedV2, ctx: MessagioContext) {
    handled.push({ message, type: ctx.type });
  }
  @OnMessagio(MessagioFault, { id: 'faults' }) fault(fault: MessagioFault) {
    faults.push(fault);
  }
}
@Injectable()
class InvoicesV3 {
  @OnMessagio(InvoiceIssuedV3, { id: 'invoices', maxRetries: 3, retryDelay: 10 }) on(message: InvoiceIssuedV3, ctx: MessagioContext) {
    handled.push({ message, type: ctx.type });
  }
}

async function eventually(check: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('message versions across deploys (bullmq, jobs stored in Redis)', () => {
  const apps: TestingModule[] = [];
  const start = async (...args: Parameters<typeof createApp>) => {
    const app = await createApp(...args);
    apps.push(app);
    return app;
  };

  beforeEach(() => {
    handled.length = 0;
    faults.length = 0;
    upcasts.length = 0;
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('a job stored by an app on version 1 is upcast and handled by a worker on version 2', async () => {
    const queueName = uniqueQueue('versions');
    const old = await start({ queueName, worker: false, providers: [InvoicesV1] });
    const receipt = await old.get(MessagioPublisher).fire(new InvoiceIssuedV1('INV-1', 42, 'ada@example.com'));
    const stored = await queueOf(old).getJob(`${receipt.messageId}|invoices`);
    // Version 1 leaves the field out: the job is what an older release stored.
    expect(stored!.data).toEqual(expect.not.objectContaining({ typeVersion: expect.anything() }));
    expect(stored!.data.payload).toEqual({ invoiceId: 'INV-1', total: 42, email: 'ada@example.com' });
    await old.close();
    apps.splice(apps.indexOf(old), 1);

    const current = await start({ queueName, providers: [InvoicesV2] });
    const job = await settled(queueOf(current), `${receipt.messageId}|invoices`);
    expect([await job.getState(), job.attemptsStarted]).toEqual(['completed', 1]);
    expect(handled).toHaveLength(1);
    expect(handled[0]!.message).toBeInstanceOf(InvoiceIssuedV2);
    expect({ ...handled[0]!.message }).toEqual({ invoiceId: 'INV-1', totalCents: 4200, customerEmail: 'ada@example.com' });
    expect(upcasts).toEqual(['1→2 INV-1']);
    // The stored job keeps what was stored: the upcaster worked on a copy.
    expect((await queueOf(current).getJob(job.id!))!.data.payload).toEqual({ invoiceId: 'INV-1', total: 42, email: 'ada@example.com' });
  });

  it('chains upcasters v1 → v2 → v3 on a version 3 worker, and runs only 2 → 3 for a job of version 2, which carries its version', async () => {
    const queueName = uniqueQueue('versions');
    const v1 = await start({ queueName, worker: false, providers: [InvoicesV1] });
    const first = await v1.get(MessagioPublisher).fire(new InvoiceIssuedV1('INV-2', 7, 'bob@example.com'));
    const v2 = await start({ queueName, worker: false, providers: [InvoicesV2] });
    const second = await v2.get(MessagioPublisher).fire(Object.assign(new InvoiceIssuedV2(), { invoiceId: 'INV-3', totalCents: 900, customerEmail: 'cy@example.com' }));
    expect((await queueOf(v2).getJob(`${second.messageId}|invoices`))!.data).toMatchObject({ type: 'billing.invoice-issued', typeVersion: 2 });

    const v3 = await start({ queueName, providers: [InvoicesV3] });
    await settled(queueOf(v3), `${first.messageId}|invoices`);
    await settled(queueOf(v3), `${second.messageId}|invoices`);
    await eventually(() => handled.length === 2, 'both invoices');
    const byId = Object.fromEntries(handled.map((h) => [(h.message as InvoiceIssuedV3).invoiceId, h.message]));
    expect(byId['INV-2']).toBeInstanceOf(InvoiceIssuedV3);
    expect({ ...byId['INV-2'] }).toEqual({ invoiceId: 'INV-2', totalCents: 700, customerEmail: 'bob@example.com', currency: 'EUR' });
    expect({ ...byId['INV-3'] }).toEqual({ invoiceId: 'INV-3', totalCents: 900, customerEmail: 'cy@example.com', currency: 'EUR' });
    expect(upcasts.filter((u) => u.endsWith('INV-2'))).toEqual(['1→2 INV-2', '2→3 INV-2']);
    expect(upcasts.filter((u) => u.endsWith('INV-3'))).toEqual(['2→3 INV-3']);
  });

  it('a job of version 3 reaching a version 2 worker fails at once with a typed reason and a fault, never as invalid', async () => {
    const queueName = uniqueQueue('versions');
    const newer = await start({ queueName, worker: false, providers: [InvoicesV3] });
    const receipt = await newer
      .get(MessagioPublisher)
      .fire(Object.assign(new InvoiceIssuedV3(), { invoiceId: 'INV-4', totalCents: 100, customerEmail: 'di@example.com', currency: 'USD' }));
    expect((await queueOf(newer).getJob(`${receipt.messageId}|invoices`))!.data).toMatchObject({ typeVersion: 3 });

    const older = await start({ queueName, providers: [InvoicesV2] });
    const job = await settled(queueOf(older), `${receipt.messageId}|invoices`);
    // Final at the first attempt, although the listener allows 3 retries: no retry can change the answer.
    expect([await job.getState(), job.attemptsStarted]).toEqual(['failed', 1]);
    expect(job.failedReason).toBe(
      'MessagioEnvelopeError: billing.invoice-issued version 3 is newer than this process knows (version 2): its payload may not fit this class. ' +
        "Deploy the class's version 3 on this worker, then replay the failed delivery (MessagioAdmin.retry); " +
        'upgrade the workers before the producers that fire a new version.',
    );
    expect(handled).toEqual([]);
    await eventually(() => faults.length === 1, 'the fault');
    expect(faults[0]).toMatchObject({ type: 'billing.invoice-issued', typeVersion: 3, listener: 'invoices', poison: true, attempts: 1 });
    expect(faults[0]!.error.message).toMatch(/^billing\.invoice-issued version 3 is newer than this process knows/);
    expect(faults[0]!.payload).toEqual({ invoiceId: 'INV-4', totalCents: 100, customerEmail: 'di@example.com', currency: 'USD' });
  });

  it('an upcaster that throws fails the delivery at once, as upcast-failed', async () => {
    @MessagioType('billing.strict', { version: 2 })
    @MessagioUpcast(1, () => {
      throw new Error('cannot guess the currency');
    })
    class Strict extends Messagio {
      @IsString() id!: string;
    }
    @Injectable()
    class StrictListener {
      @OnMessagio(Strict, { id: 'strict', maxRetries: 2, retryDelay: 10 }) on(message: Strict, ctx: MessagioContext) {
        handled.push({ message, type: ctx.type });
      }
    }
    const app = await start({ providers: [StrictListener] });
    const queue = queueOf(app);
    await queue.add('billing.strict', storedEnvelope('old-strict', 'billing.strict', 'strict', { id: 'S-1' }), {
      jobId: 'old-strict|strict',
      attempts: 3,
      backoff: { type: 'fixed', delay: 10 },
    });
    const job = await settled(queue, 'old-strict|strict');
    expect([await job.getState(), job.attemptsStarted]).toEqual(['failed', 1]);
    expect(job.failedReason).toBe('MessagioEnvelopeError: Upcasting billing.strict from version 1 to 2 failed (Error: cannot guess the currency).');
    expect(handled).toEqual([]);
  });
});

/** An envelope as a release without versions stored it. */
function storedEnvelope(id: string, type: string, listener: string, payload: Record<string, unknown>, over: Partial<MessagioEnvelope> = {}): MessagioEnvelope {
  return { v: 1, type, id, traceId: `trace-${id}`, causationId: null, firedAt: '2026-01-02T03:04:05.678Z', listener, payload, ...over };
}

describe('message versions on the memory transport', () => {
  let app: TestingModule | undefined;
  beforeEach(() => {
    handled.length = 0;
    upcasts.length = 0;
  });
  afterEach(async () => app?.close());

  it('upcasts a stored version 1 envelope, and fails a version 3 one, on the same dispatcher path', async () => {
    app = await createApp({ transport: 'memory', providers: [InvoicesV2] });
    const transport = memoryTransportOf(app);
    const delivery = (id: string, envelope: MessagioEnvelope) => ({ id: `${id}|invoices`, envelope, priority: 5, attempts: 4, backoff: { type: 'fixed' as const, delay: 10 }, delay: 0 });
    await transport.enqueue([
      delivery('m-v1', storedEnvelope('m-v1', 'billing.invoice-issued', 'invoices', { invoiceId: 'INV-5', total: 3, email: 'ed@example.com' })),
      delivery('m-v3', storedEnvelope('m-v3', 'billing.invoice-issued', 'invoices', { invoiceId: 'INV-6', totalCents: 1, customerEmail: 'x', currency: 'EUR' }, { typeVersion: 3 })),
    ]);
    await transport.idle();
    const [v1, v3] = await transport.inspect(['m-v1|invoices', 'm-v3|invoices']);
    expect([v1!.status, v3!.status, v3!.attempts]).toEqual(['completed', 'failed', 1]);
    expect(v3!.error).toMatch(/^MessagioEnvelopeError: billing\.invoice-issued version 3 is newer than this process knows \(version 2\)/);
    expect(handled.map((h) => ({ ...h.message }))).toEqual([{ invoiceId: 'INV-5', totalCents: 300, customerEmail: 'ed@example.com' }]);
  });
});

describe('upcaster chains are checked at bootstrap', () => {
  it('a missing step fails bootstrap, naming it', async () => {
    @MessagioType('billing.gap', { version: 3 })
    @MessagioUpcast(2, (p) => p)
    class Gap extends Messagio {
      @IsString() id!: string;
    }
    @Injectable()
    class GapListener {
      @OnMessagio(Gap, { id: 'gap' }) on(): void {}
    }
    const error = await createApp({ transport: 'memory', providers: [GapListener] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toBe(
      'Gap (billing.gap, version 3) has no @MessagioUpcast(1, …): a delivery stored at version 1 could not be read. ' +
        'Declare an upcaster from each older version (1 to 2) on the class.',
    );
  });

  it('an upcaster from a version that is not older than the class fails bootstrap too', async () => {
    @MessagioType('billing.ahead', { version: 2 })
    @MessagioUpcast(1, (p) => p)
    @MessagioUpcast(2, (p) => p)
    class Ahead extends Messagio {
      @IsString() id!: string;
    }
    const error = await createApp({ transport: 'memory', messages: [Ahead] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(/^Ahead \(billing\.ahead, version 2\) has @MessagioUpcast\(2, …\): an upcaster turns version n into n \+ 1/);
  });
});
