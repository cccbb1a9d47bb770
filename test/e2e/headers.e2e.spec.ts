import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Messagio,
  MessagioConfigurationError,
  MessagioContext,
  MessagioFault,
  MessagioObservers,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
  type MessagioEnvelope,
  type MessagioHeaders,
  type MessagioModuleOptions,
} from '../../lib/index.js';
import { queueOf, settled } from '../support/jobs.js';
import { eventually } from '../support/redis.js';
import { createApp } from './fixtures/app.js';
import { TRANSPORTS, memoryTransportOf } from './fixtures/transports.js';

// Headers: string context that travels with a message (fire's `headers`, inherited by
// nested fires, `propagate.capture()` / `restore()`), checked at fire and on the worker.

@MessagioType('headers.first')
class First extends Messagio {
  @IsString() text!: string;
  constructor(text: string) {
    super();
    this.text = text;
  }
}

@MessagioType('headers.second')
class Second extends Messagio {
  @IsString() text!: string;
  constructor(text: string) {
    super();
    this.text = text;
  }
}

@MessagioType('headers.third')
class Third extends Messagio {
  @IsString() text!: string;
  constructor(text: string) {
    super();
    this.text = text;
  }
}

const seen: Array<{ listener: string; headers: MessagioHeaders; frozen: boolean; tenant?: string }> = [];
const faults: MessagioFault[] = [];

/** The app's own request context, as a tenant middleware would keep it. */
const tenantContext = new AsyncLocalStorage<{ tenant: string }>();
/** Where restore() puts the tenant back, per attempt (an app would use nestjs-cls: see cls.e2e.spec.ts). */
const restored = new WeakMap<MessagioContext, string>();

@Injectable()
class Hops {
  @OnMessagio(First, { id: 'first' })
  async first(m: First, ctx: MessagioContext): Promise<void> {
    seen.push({ listener: 'first', headers: ctx.headers, frozen: Object.isFrozen(ctx.headers), tenant: restored.get(ctx) });
    // Inherits the headers; `locale` is added, `channel` overridden.
    await new Second(m.text).fire({ headers: m.text === 'override' ? { locale: 'fr', channel: 'batch' } : undefined });
  }

  @OnMessagio(Second, { id: 'second' })
  async second(m: Second, ctx: MessagioContext): Promise<void> {
    seen.push({ listener: 'second', headers: ctx.headers, frozen: Object.isFrozen(ctx.headers), tenant: restored.get(ctx) });
    await new Third(m.text).fire();
  }

  @OnMessagio(Third, { id: 'third' })
  third(m: Third, ctx: MessagioContext): void {
    seen.push({ listener: 'third', headers: ctx.headers, frozen: Object.isFrozen(ctx.headers), tenant: restored.get(ctx) });
    if (m.text === 'fail') throw new Error('third failed');
  }

  @OnMessagio(MessagioFault, { id: 'faults' })
  fault(f: MessagioFault, ctx: MessagioContext): void {
    faults.push(f);
    seen.push({ listener: 'faults', headers: ctx.headers, frozen: Object.isFrozen(ctx.headers) });
  }
}

/** Carries `tenantContext` into every message and back, across processes. */
const propagate: MessagioModuleOptions['propagate'] = {
  capture: () => {
    const tenant = tenantContext.getStore()?.tenant;
    return tenant === undefined ? undefined : { tenant };
  },
  restore: (headers, context) => {
    if (headers.tenant !== undefined) restored.set(context, headers.tenant);
  },
};

type Path = (typeof TRANSPORTS)[number] | 'sync';

describe.each([...TRANSPORTS, 'sync'] as const)('headers (%s)', (path: Path) => {
  let app: TestingModule;
  const transport = path === 'sync' ? 'memory' : path;
  beforeEach(() => {
    seen.length = 0;
    faults.length = 0;
  });
  afterEach(async () => app?.close());

  async function settle(count: number): Promise<void> {
    await eventually(() => seen.length >= count, 10_000, `${count} listener calls`);
  }

  it('are read by the listener as context.headers (frozen), inherited by nested fires, overridden by their own', async () => {
    app = await createApp({ transport, providers: [Hops] });
    const publisher = app.get(MessagioPublisher);
    await publisher.fire(new First('plain'), { headers: { tenantId: 'acme', channel: 'web' }, sync: path === 'sync' });
    await settle(3);
    await publisher.fire(new First('override'), { headers: { tenantId: 'acme', channel: 'web' }, sync: path === 'sync' });
    await settle(6);
    expect(seen.map((s) => [s.listener, s.headers, s.frozen])).toEqual([
      ['first', { tenantId: 'acme', channel: 'web' }, true],
      ['second', { tenantId: 'acme', channel: 'web' }, true],
      ['third', { tenantId: 'acme', channel: 'web' }, true],
      ['first', { tenantId: 'acme', channel: 'web' }, true],
      ['second', { tenantId: 'acme', channel: 'batch', locale: 'fr' }, true],
      ['third', { tenantId: 'acme', channel: 'batch', locale: 'fr' }, true],
    ]);
  });

  it('are left out of the envelope when there are none, and context.headers is empty', async () => {
    app = await createApp({ transport, providers: [Hops] });
    const envelopes: MessagioEnvelope[] = [];
    app.get(MessagioObservers).add({ fired: (e) => envelopes.push(...e.envelopes) });
    await app.get(MessagioPublisher).fire(new First('bare'), { sync: path === 'sync' });
    await settle(3);
    expect(envelopes.map((e) => 'headers' in e)).toEqual([false, false, false]);
    expect(seen.map((s) => [s.headers, s.frozen])).toEqual([
      [{}, true],
      [{}, true],
      [{}, true],
    ]);
  });

  it('propagate: capture() at fire, restore() before each attempt carry the app context two hops; a fault carries the headers', async () => {
    app = await createApp({ transport, providers: [Hops], propagate });
    const publisher = app.get(MessagioPublisher);
    // As inside an HTTP request of tenant "globex".
    await tenantContext.run({ tenant: 'globex' }, () => publisher.fire(new First('fail'), { sync: path === 'sync' }).catch(() => undefined));
    await settle(4);
    expect(seen.map((s) => [s.listener, s.headers, s.tenant])).toEqual([
      ['first', { tenant: 'globex' }, 'globex'],
      ['second', { tenant: 'globex' }, 'globex'],
      ['third', { tenant: 'globex' }, 'globex'],
      ['faults', { tenant: 'globex' }, undefined],
    ]);
    // Outside a request, nothing is captured: no headers, nothing restored.
    seen.length = 0;
    await publisher.fire(new First('plain'), { sync: path === 'sync' });
    await settle(3);
    expect(seen.map((s) => [s.listener, s.headers, s.tenant])).toEqual([
      ['first', {}, undefined],
      ['second', {}, undefined],
      ['third', {}, undefined],
    ]);
    expect(faults.map((f) => f.listener)).toEqual(['third']);
  });

  it('are checked at fire: bad headers (or bad captured ones) reject with MessagioConfigurationError, nothing is stored', async () => {
    const capture = { value: undefined as Record<string, string> | undefined };
    app = await createApp({ transport, providers: [Hops], propagate: { capture: () => capture.value } });
    const publisher = app.get(MessagioPublisher);
    const bad: Array<[unknown, RegExp]> = [
      [{ tenant: 42 }, /fire\(\) option headers header "tenant" must be a string, got number/],
      [{ 'bad name': 'x' }, /fire\(\) option headers has a header named "bad name"/],
      [JSON.parse('{"__proto__":"x","ok":"y"}'), /has a header named "__proto__"/],
      [{ tenant: 'a\nb' }, /header "tenant" contains a control character/],
      [{ tenant: 'x'.repeat(1025) }, /header "tenant" is 1025 characters long, more than 1024/],
      [Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`h${i}`, 'v'])), /has 33 headers, more than 32/],
      [['a'], /must be an object of string values/],
    ];
    for (const [headers, reason] of bad) {
      const error = await publisher.fire(new First('x'), { headers: headers as MessagioHeaders, sync: path === 'sync' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      expect((error as Error).message).toMatch(reason);
    }
    capture.value = { 'not ok': 'x' };
    const captured = await publisher.fire(new First('x'), { sync: path === 'sync' }).catch((e: unknown) => e);
    expect(captured).toBeInstanceOf(MessagioConfigurationError);
    expect((captured as Error).message).toMatch(/^propagate\.capture\(\) returned headers that cannot travel: it has a header named "not ok"/);
    // 20 inherited + captured + 20 own: over 32 together.
    capture.value = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${i}`, 'v']));
    const tooMany = await publisher
      .fire(new First('x'), { headers: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`o${i}`, 'v'])), sync: path === 'sync' })
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(MessagioConfigurationError);
    expect((tooMany as Error).message).toMatch(/at most 32 headers .* got 40/);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
  });
});

describe('headers on the worker are untrusted input', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  const envelope = (id: string, headers: unknown) => ({
    v: 1,
    type: 'headers.third',
    id,
    traceId: 't',
    causationId: null,
    firedAt: '2026-01-02T03:04:05.678Z',
    listener: 'third',
    headers,
    payload: { text: 'raw' },
  });
  const BAD: Array<[unknown, string]> = [
    ['a string', 'must be an object of string values'],
    [{ tenant: 1 }, 'header "tenant" must be a string, got number'],
    [{ tenant: 'line\r\nforged' }, 'header "tenant" contains a control character'],
    [{ 'x y': 'z' }, `has a header named "x y": a name is 1 to 64 letters, digits, '.', '_' or '-' (not __proto__, constructor, prototype)`],
  ];

  beforeEach(() => {
    seen.length = 0;
  });

  it('BullMQ: a job whose headers are malformed fails at once with MessagioEnvelopeError; good headers reach the listener', async () => {
    app = await createApp({ providers: [Hops] });
    const queue = queueOf(app);
    for (const [i, [headers]] of BAD.entries()) {
      await queue.add('headers.third', envelope(`bad-${i}`, headers), { jobId: `bad-${i}|third`, attempts: 4, backoff: { type: 'fixed', delay: 10 } });
    }
    await queue.add('headers.third', envelope('good', { tenant: 'acme' }), { jobId: 'good|third' });
    for (const [i, [, reason]] of BAD.entries()) {
      const job = await settled(queue, `bad-${i}|third`);
      expect([await job.getState(), job.attemptsStarted, job.failedReason]).toEqual(['failed', 1, `MessagioEnvelopeError: Not a messagio envelope: "headers" ${reason}.`]);
    }
    await eventually(() => seen.some((s) => s.listener === 'third'), 10_000, 'the good job');
    expect(seen.filter((s) => s.listener === 'third')).toEqual([{ listener: 'third', headers: { tenant: 'acme' }, frozen: true, tenant: undefined }]);
  });

  it('memory: the same data fails the same way', async () => {
    app = await createApp({ transport: 'memory', providers: [Hops] });
    const transport = memoryTransportOf(app);
    await transport.enqueue(
      BAD.map(([headers], i) => ({
        id: `bad-${i}|third`,
        envelope: envelope(`bad-${i}`, headers) as unknown as MessagioEnvelope,
        priority: 5,
        attempts: 4,
        backoff: { type: 'fixed' as const, delay: 10 },
        delay: 0,
        prioritized: false,
      })),
    );
    await transport.idle();
    const states = await transport.inspect!(BAD.map((_, i) => `bad-${i}|third`));
    expect(states.map((s) => [s.status, s.attempts, s.error])).toEqual(
      BAD.map(([, reason]) => ['failed', 1, `MessagioEnvelopeError: Not a messagio envelope: "headers" ${reason}.`]),
    );
    expect(seen.filter((s) => s.listener === 'third')).toEqual([]);
  });
});
