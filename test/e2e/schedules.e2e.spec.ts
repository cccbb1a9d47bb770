import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsInt, Min } from 'class-validator';
import {
  MESSAGIO_TRANSPORT,
  Messagio,
  MessagioConfigurationError,
  MessagioContext,
  MessagioFault,
  MessagioSchedule,
  MessagioScheduler,
  MessagioType,
  OnMessagio,
  type MessagioTransport,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { TRANSPORTS_AND_POSTGRES, type BackendName } from './fixtures/transports.js';
import { queueOf } from '../support/jobs.js';
import { eventually, uniqueQueue } from '../support/redis.js';

@MessagioType('reports.tick')
class Tick extends Messagio {
  @IsInt() @Min(0) n: number;
  constructor(n: number) {
    super();
    this.n = n;
  }
}

/** One handled tick: which listener, which message, in which app. */
interface Seen {
  listener: string;
  messageId: string;
  traceId: string;
  causationId: string | null;
  n: number;
  instance: boolean;
  app: string;
  transport: string;
}

/** Shared by the apps of one test (a module-level log: several apps, one process). */
const seen: Seen[] = [];
const faults: MessagioFault[] = [];

function note(listener: string, tick: Tick, ctx: MessagioContext, app = ''): void {
  seen.push({ listener, messageId: ctx.messageId, traceId: ctx.traceId, causationId: ctx.causationId, n: tick.n, instance: tick instanceof Tick, app, transport: ctx.transport });
}

@Injectable()
class TickListeners {
  @OnMessagio(Tick, { id: 'tick-a' }) a(tick: Tick, ctx: MessagioContext) {
    note('tick-a', tick, ctx);
  }
  @OnMessagio(Tick, { id: 'tick-b', priority: 9 }) b(tick: Tick, ctx: MessagioContext) {
    note('tick-b', tick, ctx);
  }
}

@Injectable()
class FaultLog {
  @OnMessagio(MessagioFault, { id: 'faults' }) fault(fault: MessagioFault) {
    faults.push(fault);
  }
}

/** The tick time in a tick's message id (`<schedule>@<epoch ms>`). */
function tickTime(messageId: string): number {
  return Number(messageId.slice(messageId.lastIndexOf('@') + 1));
}

beforeEach(() => {
  seen.length = 0;
  faults.length = 0;
});

describe.each(TRANSPORTS_AND_POSTGRES)('schedules (%s)', (transport: BackendName) => {
  let app: TestingModule;
  afterEach(async () => {
    await app?.get(MessagioScheduler).remove('report').catch(() => undefined);
    await app?.close();
  });

  it('fires a real message at every tick: validated, one delivery per listener, a new trace each, its id from the schedule and the tick time', async () => {
    app = await createApp({ transport, providers: [TickListeners] });
    let n = 0;
    const started = Date.now();
    await app.get(MessagioScheduler).upsert('report', { every: 150 }, () => new Tick(n++));
    await eventually(() => seen.length >= 6, 10_000, 'three ticks, two listeners each');
    await app.get(MessagioScheduler).remove('report');

    const ticks = [...new Set(seen.map((s) => s.messageId))];
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const id of ticks) {
      expect(id).toMatch(/^report@\d+$/);
      // Each listener got each tick once, as the message the factory made, rebuilt and validated.
      expect(seen.filter((s) => s.messageId === id).map((s) => s.listener).sort()).toEqual(['tick-a', 'tick-b']);
    }
    expect(seen.every((s) => s.instance && s.causationId === null && s.transport === (transport === 'memory' ? 'memory' : 'bullmq'))).toBe(true);
    // A new trace per tick (a tick is not caused by anything).
    expect(new Set(seen.map((s) => s.traceId)).size).toBe(ticks.length);
    // The first tick at once, then every 150 ms on the same phase.
    const times = ticks.map(tickTime).sort((a, b) => a - b);
    expect(times[0]! - started).toBeLessThan(1000);
    for (let i = 1; i < times.length; i++) expect((times[i]! - times[0]!) % 150).toBe(0);
  });

  it('upserts idempotently, replaces a schedule whose pattern changed, lists it back, and stops it on remove()', async () => {
    app = await createApp({ transport, providers: [TickListeners] });
    const scheduler = app.get(MessagioScheduler);
    const start = Date.now() + 3_600_000;
    await scheduler.upsert('report', { every: 60_000, startDate: start }, () => new Tick(1));
    await scheduler.upsert('report', { every: 60_000, startDate: start }, () => new Tick(1));
    expect(await scheduler.list()).toEqual([{ id: 'report', every: 60_000, startDate: start, next: new Date(start), iterations: 1 }]);

    await scheduler.upsert('report', { cron: '0 6 * * *', tz: 'Europe/Paris' }, () => new Tick(2));
    const [replaced] = await scheduler.list();
    expect(replaced).toMatchObject({ id: 'report', cron: '0 6 * * *', tz: 'Europe/Paris' });
    expect(replaced!.every).toBeUndefined();
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(replaced!.next!)).toBe('06:00');

    expect(await scheduler.remove('report')).toBe(true);
    expect(await scheduler.list()).toEqual([]);
    expect(await scheduler.remove('report')).toBe(false);
  });

  it('a removed schedule stops ticking', async () => {
    app = await createApp({ transport, providers: [TickListeners] });
    const scheduler = app.get(MessagioScheduler);
    await scheduler.upsert('report', { every: 100 }, () => new Tick(0));
    await eventually(() => seen.length >= 4, 10_000, 'two ticks');
    await scheduler.remove('report');
    await new Promise((r) => setTimeout(r, 150)); // a tick already taken may still be handled
    const after = seen.length;
    await new Promise((r) => setTimeout(r, 500)); // five more ticks would have come
    expect(seen.length).toBe(after);
  });

  it('a tick whose factory makes an invalid message fires nothing and gets a MessagioFault', async () => {
    app = await createApp({ transport, providers: [TickListeners, FaultLog] });
    await app.get(MessagioScheduler).upsert('report', { every: 60_000 }, () => new Tick(-1));
    await eventually(() => faults.length >= 1, 10_000, 'the fault of the first tick');
    await app.get(MessagioScheduler).remove('report');
    const [fault] = faults;
    expect(fault).toMatchObject({ type: 'messagio.schedule', listener: 'report', poison: true, payload: { schedule: 'report' } });
    expect(fault!.messageId).toMatch(/^report@\d+$/);
    expect(fault!.error.name).toBe('MessagioValidationError');
    expect(seen).toEqual([]);
  });
});

describe.each(['bullmq', 'postgres'] as const)('schedules across instances (%s)', (transport) => {
  it('three app instances declare the same schedule (every 200 ms): over 3 s each tick is handled once, not three times', async () => {
    const queueName = uniqueQueue('sched');
    const apps: TestingModule[] = [];
    for (const name of ['one', 'two', 'three']) {
      @Injectable()
      class Instance {
        @MessagioSchedule('heartbeat', { every: 200 }) heartbeat(): Tick {
          return new Tick(apps.length);
        }
        @OnMessagio(Tick, { id: 'heartbeat-listener' }) handle(tick: Tick, ctx: MessagioContext) {
          note('heartbeat-listener', tick, ctx, name);
        }
      }
      apps.push(await createApp({ transport, queueName, providers: [Instance], worker: { concurrency: 4 } }));
    }
    try {
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 3000));
      await apps[0]!.get(MessagioScheduler).remove('heartbeat');
      const elapsed = Date.now() - started;
      await new Promise((r) => setTimeout(r, 300)); // let a tick taken before the removal finish

      // One scheduler, however many instances upserted it.
      expect(await apps[1]!.get(MessagioScheduler).list()).toEqual([]);
      const perTick = new Map<string, number>();
      for (const s of seen) perTick.set(s.messageId, (perTick.get(s.messageId) ?? 0) + 1);
      // Each tick handled once...
      expect([...perTick.values()].filter((count) => count !== 1)).toEqual([]);
      // ... and one tick per 200 ms, not three: 15 in 3 s (a little slack for scheduling).
      expect(perTick.size).toBeGreaterThanOrEqual(10);
      expect(perTick.size).toBeLessThanOrEqual(Math.ceil((elapsed + 300) / 200) + 1);
      const times = [...perTick.keys()].map(tickTime).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(200);
      // One tick job per tick ran: none was a duplicate that the tick's message id merely absorbed.
      const tickJobs = (await queueOf(apps[0]!).getCompleted(0, -1)).filter((job) => job.name === 'messagio.schedule');
      expect(tickJobs.map((job) => `heartbeat@${job.id!.split(':').pop()}`).sort()).toEqual([...perTick.keys()].sort());
      // The instances shared the work (each consumes the queue).
      expect(new Set(seen.map((s) => s.app)).size).toBeGreaterThan(1);
    } finally {
      for (const app of apps) await app.close();
    }
  }, 20_000);
});

describe('a tick no process has a factory for', () => {
  it('fails with MessagioUnknownScheduleError and a MessagioFault, without firing', async () => {
    const queueName = uniqueQueue('orphan');
    // The publisher upserts the schedule; the worker never heard of it.
    const publisher = await createApp({ queueName, worker: false });
    const worker = await createApp({ queueName, providers: [TickListeners, FaultLog] });
    try {
      await publisher.get(MessagioScheduler).upsert('orphan', { every: 60_000 }, () => new Tick(1));
      await eventually(() => faults.length >= 1, 10_000, 'the fault of the orphan tick');
      expect(faults[0]).toMatchObject({ type: 'messagio.schedule', listener: 'orphan', poison: true, error: { name: 'MessagioUnknownScheduleError' } });
      expect(faults[0]!.error.message).toMatch(/no factory for it/);
      const queue = queueOf(worker);
      const [job] = await queue.getFailed();
      expect(job!.name).toBe('messagio.schedule');
      expect(job!.failedReason).toMatch(/^MessagioUnknownScheduleError: A tick of schedule "orphan"/);
      expect(job!.attemptsMade).toBe(1); // failed for good: no retry
      expect(seen).toEqual([]);
    } finally {
      await publisher.get(MessagioScheduler).remove('orphan');
      await publisher.close();
      await worker.close();
    }
  });
});

describe('schedules: what is refused', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it.each([
    ['both every and cron', 'report', { every: 1000, cron: '* * * * *' }, /exactly one of `every`/],
    ['neither', 'report', {}, /exactly one of `every`/],
    ['a bad cron', 'report', { cron: 'every day' }, /is not a cron pattern/],
    ['a bad time zone', 'report', { cron: '0 6 * * *', tz: 'Mars/Olympus' }, /tz must be an IANA time zone/],
    ['tz with every', 'report', { every: 1000, tz: 'UTC' }, /tz applies to a cron pattern/],
    ['every below 1 ms', 'report', { every: 0 }, /every must be a whole number/],
    ['limit 0', 'report', { every: 1000, limit: 0 }, /limit must be a whole number/],
    ['an end before the start', 'report', { every: 1000, startDate: 2000, endDate: 1000 }, /endDate must come after startDate/],
    ['a bad date', 'report', { every: 1000, startDate: 'soon' }, /startDate must be a Date/],
    ['an id with a colon', 'daily:report', { every: 1000 }, /schedule id must be/],
  ])('%s: MessagioConfigurationError, nothing stored', async (_what, id, spec, message) => {
    app = await createApp({ providers: [TickListeners] });
    const scheduler = app.get(MessagioScheduler);
    const error = await scheduler.upsert(id, spec, () => new Tick(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagioConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(await scheduler.list()).toEqual([]);
  });

  it('a transport without schedules says so', async () => {
    const bare: MessagioTransport = { name: 'bare', enqueue: async () => undefined, start: async () => undefined, close: async () => undefined };
    app = await createApp({ transport: bare, providers: [TickListeners] });
    await expect(app.get(MessagioScheduler).upsert('report', { every: 1000 }, () => new Tick(1))).rejects.toThrow(
      /The bare transport cannot keep schedules \(no upsertSchedule\(\)\)/,
    );
    expect(app.get(MESSAGIO_TRANSPORT)).toBe(bare);
  });

  it('two @MessagioSchedule with one id fail bootstrap, naming both methods', async () => {
    @Injectable()
    class Twice {
      @MessagioSchedule('same', { every: 1000 }) one(): Tick {
        return new Tick(1);
      }
      @MessagioSchedule('same', { every: 2000 }) two(): Tick {
        return new Tick(2);
      }
    }
    await expect(createApp({ transport: 'memory', providers: [Twice] })).rejects.toThrow(/"same"\) is declared twice: on Twice.one and on Twice.two/);
  });

  it('a declared schedule with a bad spec fails bootstrap, naming its method', async () => {
    @Injectable()
    class Bad {
      @MessagioSchedule('bad', { cron: 'never' }) bad(): Tick {
        return new Tick(1);
      }
    }
    await expect(createApp({ transport: 'memory', providers: [Bad] })).rejects.toThrow(/@MessagioSchedule on Bad.bad: Schedule "bad": cron "never" is not a cron pattern/);
  });
});
