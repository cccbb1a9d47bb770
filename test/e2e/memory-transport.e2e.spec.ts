import { AsyncLocalStorage } from 'node:async_hooks';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { jest } from '@jest/globals';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Validate, type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import {
  MESSAGIO_TRANSPORT,
  Messagio,
  MessagioConfigurationError,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
  type MemoryTransport,
  type MessagioContext,
  type MessagioObserver,
} from '../../lib/index.js';
import { currentMessagioContext } from '../../lib/message/messagio-context.js';
import { MessagioTestHarness, MessagioTestingModule } from '../../lib/testing/index.js';
import { createApp } from './fixtures/app.js';
import { memoryTransportOf } from './fixtures/transports.js';
import { eventually } from '../support/redis.js';

const DAY = 24 * 3600 * 1000;

@MessagioType('memory.tick')
class Tick extends Messagio {
  @IsInt() n: number;
  constructor(n: number) {
    super();
    this.n = n;
  }
}

@MessagioType('memory.echo')
class Echo extends Messagio {
  @IsInt() n: number;
  constructor(n: number) {
    super();
    this.n = n;
  }
}

/** Counts deliveries of Tick, each taking about 1 ms of (async) work. */
@Injectable()
class SlowTicks {
  handled = 0;
  @OnMessagio(Tick, { id: 'slow-tick' }) async tick() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.handled++;
  }
}

/** v8's gc(), made callable without starting Node with --expose-gc. */
function exposedGc(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('long delays and retry waits (over 2³¹−1 ms, ~24.8 days)', () => {
  @Injectable()
  class Patient {
    readonly attempts = new Map<number, number>();
    @OnMessagio(Tick, { id: 'patient', maxRetries: 1, retryDelay: 30 * DAY }) handle(tick: Tick) {
      const attempt = (this.attempts.get(tick.n) ?? 0) + 1;
      this.attempts.set(tick.n, attempt);
      // Tick 0 fails once and is retried 30 days later; the others complete.
      if (tick.n === 0 && attempt === 1) throw new Error('not yet');
    }
  }

  afterEach(() => jest.useRealTimers());

  it('sync mode: a retry 30 days away waits 30 days on the real clock (fake timers)', async () => {
    const app = await createApp({ transport: 'memory', worker: false, providers: [Patient] });
    try {
      const patient = app.get(Patient);
      jest.useFakeTimers();
      const fired = app.get(MessagioPublisher).fire(new Tick(0), { sync: true });
      await jest.advanceTimersByTimeAsync(25 * DAY);
      expect(patient.attempts.get(0)).toBe(1);
      await jest.advanceTimersByTimeAsync(5 * DAY);
      await fired;
      expect(patient.attempts.get(0)).toBe(2);
    } finally {
      jest.useRealTimers();
      await app.close();
    }
  });

  it('memory transport: a 30-day delay and a 30-day retry wait 30 days on the real clock (fake timers)', async () => {
    const app = await createApp({ transport: 'memory', providers: [Patient] });
    try {
      const patient = app.get(Patient);
      jest.useFakeTimers();
      const publisher = app.get(MessagioPublisher);
      await publisher.fire(new Tick(0)); // fails now, retried in 30 days
      await publisher.fire(new Tick(1), { delay: 30 * DAY });
      await jest.advanceTimersByTimeAsync(25 * DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 1 });
      expect(memoryTransportOf(app).pending()).toEqual({ waiting: 0, scheduled: 2, running: 0 });
      await jest.advanceTimersByTimeAsync(5 * DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 2, 1: 1 });
    } finally {
      jest.useRealTimers();
      await app.close();
    }
  });

  it('testing harness (virtual clock): a 30-day delay and retry have not run after 29 days, and run at 30', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [MessagioTestingModule.forRoot()], providers: [Patient] }).compile();
    await moduleRef.init();
    try {
      const harness = moduleRef.get(MessagioTestHarness);
      const patient = moduleRef.get(Patient);
      const publisher = moduleRef.get(MessagioPublisher);
      const start = harness.now().getTime();
      await publisher.fire(new Tick(0)); // fails at once, retried in 30 days
      await publisher.fire(new Tick(1), { delay: 30 * DAY });
      await harness.advance(29 * DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 1 });
      expect(harness.pending()).toBe(2);
      await harness.advance(DAY);
      expect(Object.fromEntries(patient.attempts)).toEqual({ 0: 2, 1: 1 });
      expect(harness.pending()).toBe(0);
      expect(harness.now().getTime() - start).toBe(30 * DAY);
    } finally {
      await moduleRef.close();
    }
  });
});

describe('memory transport: no async context leaks from one message to another', () => {
  /** A caller's own async context (a request scope, a tracing span): deliveries must not run in it either. */
  const request = new AsyncLocalStorage<string>();
  /** What each hook saw, outside of any listener: it must be nobody's context. */
  const seen: Array<{ where: string; messageId: string | undefined; request: string | undefined }> = [];
  const look = (where: string) => seen.push({ where, messageId: currentMessagioContext()?.messageId, request: request.getStore() });

  @ValidatorConstraint({ name: 'looksAround' })
  class LooksAround implements ValidatorConstraintInterface {
    validate(_value: unknown, args: ValidationArguments): boolean {
      const traced = args.object as Traced;
      // At fire the firing code's context is the right one; only the worker side is checked.
      if (traced.rebuilt) look(`validator ${traced.label}`);
      return true;
    }
  }

  @MessagioType('memory.traced')
  class Traced extends Messagio {
    @IsString() label: string;
    @Validate(LooksAround) checked = true;
    // Runs on rebuild only (toClassOnly): on the worker side, before the listener.
    @Transform(({ obj }) => (look(`transform ${(obj as Traced).label}`), true), { toClassOnly: true }) rebuilt = false;
    constructor(label: string) {
      super();
      this.label = label;
    }
  }

  @Injectable()
  class Spawner {
    readonly contexts = new Map<string, MessagioContext>();
    constructor(private readonly publisher: MessagioPublisher) {}
    @OnMessagio(Traced, { id: 'spawner' }) async on(traced: Traced, context: MessagioContext) {
      this.contexts.set(traced.label, context);
      // The parent's listener fires the child: this starts a second consumer loop (concurrency 2).
      if (traced.label === 'parent') await this.publisher.fire(new Traced('child'));
    }
  }

  it('observers, @Transform and validators see no other message’s context; a fire from an observer starts a fresh trace (concurrency 2)', async () => {
    let probe: Promise<unknown> | undefined;
    const observer: MessagioObserver = {
      started: (e) => {
        const label = (e.envelope?.payload as { label?: string }).label;
        look(`started ${label}`);
        if (label === 'child') probe = app.get(MessagioPublisher).fire(new Traced('probe'));
      },
    };
    const app = await createApp({ transport: 'memory', worker: { concurrency: 2 }, observers: [observer], providers: [Spawner] });
    try {
      const spawner = app.get(Spawner);
      const parent = await request.run('request-1', () => app.get(MessagioPublisher).fire(new Traced('parent'), { traceId: 'trace-1' }));
      await eventually(() => spawner.contexts.has('probe'), 5000, 'the probe to be handled');
      await probe;
      await memoryTransportOf(app).idle();

      // The probe, fired from an observer of the child's delivery, was caused by nothing...
      const probed = spawner.contexts.get('probe')!;
      expect({ causationId: probed.causationId, sameTrace: probed.traceId === 'trace-1' }).toEqual({ causationId: null, sameTrace: false });
      // ...while the child, fired by the parent's listener, is the parent's.
      expect(spawner.contexts.get('parent')).toMatchObject({ messageId: parent.messageId, traceId: 'trace-1', causationId: null });
      expect(spawner.contexts.get('child')).toMatchObject({ traceId: 'trace-1', causationId: parent.messageId });
      // Every hook ran for every delivery, in nobody's context (neither a message's nor the firing request's).
      const labels = ['parent', 'child', 'probe'];
      expect(seen.map((s) => s.where).sort()).toEqual(labels.flatMap((l) => [`started ${l}`, `transform ${l}`, `validator ${l}`]).sort());
      expect(seen.filter((s) => s.messageId !== undefined || s.request !== undefined)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('memory transport: close() and shutdownTimeout', () => {
  it('app.close() returns after shutdownTimeout when a listener never finishes, and says so', async () => {
    @Injectable()
    class Hung {
      started = 0;
      @OnMessagio(Tick, { id: 'hung' }) hang() {
        this.started++;
        return new Promise(() => undefined);
      }
    }
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const app = await createApp({ transport: 'memory', shutdownTimeout: 300, providers: [Hung] });
      await app.get(MessagioPublisher).fire(new Tick(1));
      await eventually(() => app.get(Hung).started === 1, 5000, 'the listener to start');
      const began = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        app.close().then(() => 'closed'),
        new Promise((resolve) => (timer = setTimeout(resolve, 5000, 'still closing after 5 s'))),
      ]);
      clearTimeout(timer);
      expect(closed).toBe('closed');
      const took = Date.now() - began;
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(2000);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('with 1 delivery still running after shutdownTimeout (300 ms)'));
    } finally {
      warn.mockRestore();
    }
  });
});

describe('memory transport: backpressure (maxWaiting)', () => {
  let app: TestingModule | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('holds a tight loop of 100,000 fires to the default bound of 1,000 waiting deliveries; the heap stays flat (1 ms async listener)', async () => {
    app = await createApp({ transport: 'memory', worker: { concurrency: 64 }, validate: false, providers: [SlowTicks] });
    const publisher = app.get(MessagioPublisher);
    const transport = memoryTransportOf(app);
    const ticks = app.get(SlowTicks);
    const gc = exposedGc();
    const FIRES = 100_000;
    let mostWaiting = 0;
    let atHalf = 0;
    const started = Date.now();
    for (let i = 0; i < FIRES; i++) {
      await publisher.fire(new Tick(i));
      const { waiting } = transport.pending();
      if (waiting > mostWaiting) mostWaiting = waiting;
      if (i === FIRES / 2) atHalf = heapAfterGc(gc);
    }
    const atEnd = heapAfterGc(gc);
    await transport.idle();
    const seconds = (Date.now() - started) / 1000;
    // Figures for the reader of the test log.
    console.log(`100,000 fires: most waiting ${mostWaiting}, heap at half ${(atHalf / 1e6).toFixed(1)} MB, at end ${(atEnd / 1e6).toFixed(1)} MB, ${seconds.toFixed(1)} s`);
    expect(ticks.handled).toBe(FIRES);
    expect(mostWaiting).toBeLessThanOrEqual(1000);
    // The loop did outrun the listeners (the bound was reached, not merely never approached).
    expect(mostWaiting).toBeGreaterThanOrEqual(900);
    // 50,000 more fires held no more memory (~0.6 KB a waiting delivery: 4 MB is ~7,000 of them).
    expect(atEnd - atHalf).toBeLessThan(4 * 1024 * 1024);
  }, 120_000);

  it('never deadlocks on a listener that fires while the backlog is full (concurrency 1)', async () => {
    @Injectable()
    class Relay {
      echoed = 0;
      /** Waiting deliveries each time the relay fired. */
      readonly backlog: number[] = [];
      constructor(
        private readonly publisher: MessagioPublisher,
        @Inject(MESSAGIO_TRANSPORT) private readonly transport: MemoryTransport,
      ) {}
      // Awaits its own fire while the only lane is its own: holding it would wait forever.
      @OnMessagio(Tick, { id: 'relay' }) async relay(tick: Tick) {
        this.backlog.push(this.transport.pending().waiting);
        await this.publisher.fire(new Echo(tick.n));
      }
      @OnMessagio(Echo, { id: 'echo' }) echo() {
        this.echoed++;
      }
    }
    app = await createApp({ transport: 'memory', worker: { concurrency: 1 }, memory: { maxWaiting: 5 }, providers: [Relay] });
    const publisher = app.get(MessagioPublisher);
    for (let i = 0; i < 50; i++) await publisher.fire(new Tick(i));
    await memoryTransportOf(app).idle();
    const relay = app.get(Relay);
    expect(relay.echoed).toBe(50);
    // The relay did fire with the backlog at the bound (the case that would deadlock).
    expect(Math.max(...relay.backlog)).toBeGreaterThanOrEqual(5);
  });

  it('holds nothing on a publish-only process (nothing would ever make room)', async () => {
    app = await createApp({ transport: 'memory', worker: false, memory: { maxWaiting: 5 }, providers: [SlowTicks] });
    const publisher = app.get(MessagioPublisher);
    for (let i = 0; i < 50; i++) await publisher.fire(new Tick(i));
    expect(memoryTransportOf(app).pending()).toEqual({ waiting: 50, scheduled: 0, running: 0 });
  });

  it('refuses a bad memory.maxWaiting at bootstrap with a MessagioConfigurationError', async () => {
    for (const maxWaiting of [0, -1, 1.5, Number.NaN, '10']) {
      await expect(createApp({ transport: 'memory', memory: { maxWaiting: maxWaiting as number } })).rejects.toThrow(
        new MessagioConfigurationError(`memory.maxWaiting must be a whole number ≥ 1, got ${String(maxWaiting)}.`),
      );
    }
  });
});
