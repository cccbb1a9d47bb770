import {
  Catch,
  type ArgumentsHost,
  Injectable,
  UseFilters,
  UseInterceptors,
  type CallHandler,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { IsDate, IsInt, IsString, Min } from 'class-validator';
import { tap, type Observable } from 'rxjs';
import {
  Messagio,
  MessagioContext,
  MessagioExecutionContext,
  MessagioFault,
  MessagioPublisher,
  MessagioType,
  OnMessagio,
  type FireReceipt,
} from '../../lib/index.js';
import { FatalError, TransientError } from './fixtures.js';

/**
 * The scenarios of the faithfulness suite: each runs once on the test harness
 * and once on BullMQ over a real redis-server, and both runs must give the
 * `expected` outcome.
 */
export interface Scenario {
  name: string;
  providers: Type[];
  /** Fires the scenario's messages (the runner lets them run afterwards). */
  act(publisher: MessagioPublisher): Promise<void>;
  /** True when the global order of listener calls is part of the outcome. */
  ordered: boolean;
  expected: Outcome;
}

/** What a run produced, in terms both transports can report. */
export interface Outcome {
  /** Name of the error `act` rejected with, if any. */
  rejected: string | null;
  /** `listener#attempt` per listener call, in call order (sorted when the scenario is not `ordered`). */
  calls: string[];
  /** `type listener: status after n` (+ ` — Error: message` when failed), sorted. */
  deliveries: string[];
  /** `parentType → childType` for each message fired while another was handled (or a fault), sorted. */
  causes: string[];
  /** Faults received by the fault listener: `type listener attempts=n ErrorName poison=bool`, sorted. */
  faults: string[];
}

/** Listener calls, shared by the scenario listeners of one app. */
@Injectable()
export class CallLog {
  readonly calls: string[] = [];
  readonly faults: string[] = [];
  add(ctx: MessagioContext): void {
    this.calls.push(`${ctx.listener}#${ctx.attempt}`);
  }
}

// ── Messages ───────────────────────────────────────────────────────────────

@MessagioType('faithful.job')
export class Job extends Messagio {
  @IsString() name!: string;
  @IsInt() @Min(0) size!: number;
  constructor(name: string, size = 1) {
    super();
    this.name = name;
    this.size = size;
  }
  label(): string {
    return `${this.name}/${this.size}`;
  }
}

@MessagioType('faithful.step')
export class Step extends Messagio {
  @IsString() name!: string;
  constructor(name: string) {
    super();
    this.name = name;
  }
}

@MessagioType('faithful.done')
export class Done extends Messagio {
  @IsString() name!: string;
  constructor(name: string) {
    super();
    this.name = name;
  }
}

/** Valid when fired; its Date comes back as a string (no @Type): invalid on the worker. */
@MessagioType('faithful.stamped')
export class Stamped extends Messagio {
  @IsDate() at!: Date;
  constructor(at: Date) {
    super();
    this.at = at;
  }
}

// ── Listeners ──────────────────────────────────────────────────────────────

@Injectable()
class Priorities {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'low', priority: 0 }) low(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
  }
  @OnMessagio(Job, { id: 'regular-a', priority: 5 }) regularA(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
  }
  @OnMessagio(Job, { id: 'epic', priority: 10 }) epic(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
  }
  @OnMessagio(Job, { id: 'regular-b', priority: 5 }) regularB(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
  }
}

@Injectable()
class RetryThenSucceed {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'flaky', retryOn: [TransientError], maxRetries: 3, retryDelay: 10, backoff: 'exponential' })
  flaky(job: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    if (!(job instanceof Job) || job.label() !== 'sync/2') throw new FatalError('not a rebuilt Job');
    if (ctx.attempt < 3) throw new TransientError(`attempt ${ctx.attempt}`);
  }
  @OnMessagio(Job, { id: 'steady' }) steady(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
  }
}

@Injectable()
class Faults {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(MessagioFault, { id: 'faults' }) fault(fault: MessagioFault, ctx: MessagioContext) {
    this.log.add(ctx);
    this.log.faults.push(`${fault.type} ${fault.listener} attempts=${fault.attempts} ${fault.error.name} poison=${fault.poison}`);
  }
}

@Injectable()
class AlwaysFails {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'doomed', retryOn: [TransientError], maxRetries: 2, retryDelay: 10 }) doomed(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    throw new TransientError(`attempt ${ctx.attempt}`);
  }
}

@Injectable()
class NotRetryable {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'picky', retryOn: [TransientError], maxRetries: 5, retryDelay: 10 }) picky(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    throw new FatalError('no retry for this');
  }
}

@Injectable()
class StampListener {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Stamped, { id: 'stamp', maxRetries: 3, retryDelay: 10 }) stamp(_m: Stamped, ctx: MessagioContext) {
    this.log.add(ctx);
  }
}

@Injectable()
class Cascade {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'plan', priority: 7 }) async plan(job: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    await new Step(`${job.name}-1`).fire();
    await new Step(`${job.name}-2`).fire();
  }
  @OnMessagio(Job, { id: 'log-job', priority: 1 }) logJob(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
  }
  @OnMessagio(Step, { id: 'work', priority: 5 }) async work(step: Step, ctx: MessagioContext) {
    this.log.add(ctx);
    if (step.name.endsWith('-2')) await new Done(step.name).fire();
  }
  @OnMessagio(Done, { id: 'finish', priority: 9 }) finish(_m: Done, ctx: MessagioContext) {
    this.log.add(ctx);
  }
}

@Injectable()
class FailingFaultListener {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'breaks' }) breaks(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    throw new FatalError('broken');
  }
  @OnMessagio(MessagioFault, { id: 'fault-breaks' }) faultBreaks(_f: MessagioFault, ctx: MessagioContext) {
    this.log.add(ctx);
    throw new FatalError('fault listener broken too');
  }
}

@Injectable()
class Idempotent {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Done, { id: 'once' }) once(_m: Done, ctx: MessagioContext) {
    this.log.add(ctx);
  }
}

/** An app's interceptor: records each attempt it wraps, and how it ended. */
@Injectable()
class RecordingInterceptor implements NestInterceptor {
  constructor(private readonly log: CallLog) {}
  intercept(host: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { context } = MessagioExecutionContext.of(host);
    const at = `${context.listener}#${context.attempt}`;
    return next.handle().pipe(
      tap({
        next: () => this.log.calls.push(`intercepted ${at} ok`),
        error: (error: Error) => this.log.calls.push(`intercepted ${at} ✗ ${error.name}`),
      }),
    );
  }
}

/** An app's filter: handles FatalError (returns a value), so the attempt completes. */
@Catch(FatalError)
class SwallowFatal implements ExceptionFilter {
  constructor(private readonly log: CallLog) {}
  catch(_error: FatalError, host: ArgumentsHost): string {
    const { context } = MessagioExecutionContext.of(host);
    this.log.calls.push(`filtered ${context.listener}#${context.attempt}`);
    return 'swallowed';
  }
}

@Injectable()
@UseInterceptors(RecordingInterceptor)
class Enhanced {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'watched', retryOn: [TransientError], maxRetries: 2, retryDelay: 10 }) watched(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    if (ctx.attempt === 1) throw new TransientError('first');
  }
  @OnMessagio(Job, { id: 'rescued', maxRetries: 3, retryDelay: 10 })
  @UseFilters(SwallowFatal)
  rescued(_m: Job, ctx: MessagioContext) {
    this.log.add(ctx);
    throw new FatalError('swallowed by the filter');
  }
}

/** Headers as sorted JSON: PostgreSQL's jsonb does not keep the order of keys (docs/transports.md). */
function sortedJson(headers: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))));
}

@Injectable()
class HeaderHops {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'hop-1' }) async hop1(job: Job, ctx: MessagioContext) {
    this.log.calls.push(`hop-1 ${sortedJson(ctx.headers)}`);
    await new Step(job.name).fire({ headers: { stage: 'two' } });
  }
  @OnMessagio(Step, { id: 'hop-2' }) async hop2(step: Step, ctx: MessagioContext) {
    this.log.calls.push(`hop-2 ${sortedJson(ctx.headers)}`);
    await new Done(step.name).fire();
  }
  @OnMessagio(Done, { id: 'hop-3' }) hop3(_m: Done, ctx: MessagioContext) {
    this.log.calls.push(`hop-3 ${sortedJson(ctx.headers)}`);
  }
}

/** Three listeners of Job that log which payload they got: dedupe decides which message they see. */
@Injectable()
class DedupeListeners {
  constructor(private readonly log: CallLog) {}
  @OnMessagio(Job, { id: 'x', priority: 9 }) x(job: Job, ctx: MessagioContext) {
    this.log.calls.push(`${ctx.listener}#${ctx.attempt} ${job.label()}`);
  }
  @OnMessagio(Job, { id: 'y' }) y(job: Job, ctx: MessagioContext) {
    this.log.calls.push(`${ctx.listener}#${ctx.attempt} ${job.label()}`);
  }
  @OnMessagio(Job, { id: 'z', priority: 1 }) z(job: Job, ctx: MessagioContext) {
    this.log.calls.push(`${ctx.listener}#${ctx.attempt} ${job.label()}`);
  }
}

/** Fails the scenario (as a rejection `act` reports) unless the receipts merged as expected. */
function expectMerged(receipts: readonly FireReceipt[], winners: number): void {
  const stored = receipts.filter((r) => !r.deduplicated);
  const ids = new Set(stored.map((r) => r.messageId));
  if (stored.length !== winners || receipts.some((r) => r.deduplicated && !ids.has(r.mergedInto!))) {
    const error = new Error(`receipts: ${JSON.stringify(receipts.map((r) => [r.messageId, r.mergedInto]))}`);
    error.name = 'UnexpectedDedupe';
    throw error;
  }
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'priorities: higher first, FIFO among equals, across messages',
    providers: [Priorities],
    ordered: true,
    act: async (p) => {
      await p.fire(new Job('a'));
      await p.fire(new Job('b'));
    },
    expected: {
      rejected: null,
      calls: ['epic#1', 'epic#1', 'regular-a#1', 'regular-b#1', 'regular-a#1', 'regular-b#1', 'low#1', 'low#1'],
      deliveries: [
        'faithful.job epic: completed after 1',
        'faithful.job epic: completed after 1',
        'faithful.job low: completed after 1',
        'faithful.job low: completed after 1',
        'faithful.job regular-a: completed after 1',
        'faithful.job regular-a: completed after 1',
        'faithful.job regular-b: completed after 1',
        'faithful.job regular-b: completed after 1',
      ],
      causes: [],
      faults: [],
    },
  },
  {
    name: 'retries: an error in retryOn is retried until the listener succeeds; the other listener runs once',
    providers: [RetryThenSucceed, Faults],
    ordered: false,
    act: async (p) => {
      await p.fire(new Job('sync', 2));
    },
    expected: {
      rejected: null,
      calls: ['flaky#1', 'flaky#2', 'flaky#3', 'steady#1'],
      deliveries: ['faithful.job flaky: completed after 3', 'faithful.job steady: completed after 1'],
      causes: [],
      faults: [],
    },
  },
  {
    name: 'retries exhausted: the delivery fails for good after maxRetries, with a fault',
    providers: [AlwaysFails, Faults],
    ordered: false,
    act: async (p) => {
      await p.fire(new Job('x'));
    },
    expected: {
      rejected: null,
      calls: ['doomed#1', 'doomed#2', 'doomed#3', 'faults#1'],
      deliveries: ['faithful.job doomed: failed after 3 — TransientError: attempt 3', 'messagio.fault faults: completed after 1'],
      causes: ['faithful.job → messagio.fault'],
      faults: ['faithful.job doomed attempts=3 TransientError poison=false'],
    },
  },
  {
    name: 'non-retryable: an error outside retryOn fails at once',
    providers: [NotRetryable, Faults],
    ordered: false,
    act: async (p) => {
      await p.fire(new Job('x'));
    },
    expected: {
      rejected: null,
      calls: ['faults#1', 'picky#1'],
      deliveries: ['faithful.job picky: failed after 1 — FatalError: no retry for this', 'messagio.fault faults: completed after 1'],
      causes: ['faithful.job → messagio.fault'],
      faults: ['faithful.job picky attempts=1 FatalError poison=false'],
    },
  },
  {
    name: 'validation at fire: an invalid message is refused and nothing runs',
    providers: [RetryThenSucceed, Faults],
    ordered: false,
    act: async (p) => {
      await p.fire(new Job('negative', -1));
    },
    expected: { rejected: 'MessagioValidationError', calls: [], deliveries: [], causes: [], faults: [] },
  },
  {
    name: 'validation on the worker: a payload invalid once rebuilt fails without retries, as a poison fault',
    providers: [StampListener, Faults],
    ordered: false,
    act: async (p) => {
      await p.fire(new Stamped(new Date(Date.UTC(2030, 0, 1))));
    },
    expected: {
      rejected: null,
      calls: ['faults#1'],
      deliveries: [
        'faithful.stamped stamp: failed after 1 — MessagioValidationError: Invalid faithful.stamped: at (at must be a Date instance)',
        'messagio.fault faults: completed after 1',
      ],
      causes: ['faithful.stamped → messagio.fault'],
      faults: ['faithful.stamped stamp attempts=1 MessagioValidationError poison=true'],
    },
  },
  {
    name: 'cascades: messages fired by listeners run in priority order with what is queued',
    providers: [Cascade],
    ordered: true,
    act: async (p) => {
      await p.fire(new Job('c'));
    },
    expected: {
      rejected: null,
      calls: ['plan#1', 'work#1', 'work#1', 'finish#1', 'log-job#1'],
      deliveries: [
        'faithful.done finish: completed after 1',
        'faithful.job log-job: completed after 1',
        'faithful.job plan: completed after 1',
        'faithful.step work: completed after 1',
        'faithful.step work: completed after 1',
      ],
      causes: ['faithful.job → faithful.step', 'faithful.job → faithful.step', 'faithful.step → faithful.done'],
      faults: [],
    },
  },
  {
    name: 'faults: a failing fault listener produces no further fault',
    providers: [FailingFaultListener],
    ordered: true,
    act: async (p) => {
      await p.fire(new Job('f'));
    },
    expected: {
      rejected: null,
      calls: ['breaks#1', 'fault-breaks#1'],
      deliveries: [
        'faithful.job breaks: failed after 1 — FatalError: broken',
        'messagio.fault fault-breaks: failed after 1 — FatalError: fault listener broken too',
      ],
      causes: ['faithful.job → messagio.fault'],
      faults: [],
    },
  },
  {
    name: 'delays and idempotency: a delayed fire runs; the same messageId twice is stored once',
    providers: [Idempotent],
    ordered: false,
    act: async (p) => {
      await p.fire(new Done('later'), { delay: 30 });
      await p.fire(new Done('twice'), { messageId: 'idem-1' });
      await p.fire(new Done('twice'), { messageId: 'idem-1' });
    },
    expected: {
      rejected: null,
      calls: ['once#1', 'once#1'],
      deliveries: ['faithful.done once: completed after 1', 'faithful.done once: completed after 1'],
      causes: [],
      faults: [],
    },
  },
  {
    name: 'enhancers: an app interceptor wraps every attempt; a filter that handles an error completes the delivery',
    providers: [Enhanced, Faults],
    ordered: false,
    act: async (p) => {
      await p.fire(new Job('e'));
    },
    expected: {
      rejected: null,
      calls: [
        'watched#1',
        'intercepted watched#1 ✗ TransientError',
        'watched#2',
        'intercepted watched#2 ok',
        'rescued#1',
        // Filters are outside interceptors: the interceptor sees the error the filter then handles.
        'intercepted rescued#1 ✗ FatalError',
        'filtered rescued#1',
      ].sort(),
      deliveries: ['faithful.job rescued: completed after 1', 'faithful.job watched: completed after 2'],
      causes: [],
      faults: [],
    },
  },
  {
    name: 'dedupe (simple): racing fires with one key make one message; each of its three listeners runs it once',
    providers: [DedupeListeners],
    ordered: false,
    act: async (p) => {
      const receipts = await Promise.all(Array.from({ length: 5 }, () => p.fire(new Job('race'), { dedupe: { key: 'race' } })));
      expectMerged(receipts, 1);
    },
    expected: {
      rejected: null,
      calls: ['x#1 race/1', 'y#1 race/1', 'z#1 race/1'],
      deliveries: ['faithful.job x: completed after 1', 'faithful.job y: completed after 1', 'faithful.job z: completed after 1'],
      causes: [],
      faults: [],
    },
  },
  {
    name: 'headers: given at fire, inherited two hops, merged with those a listener adds',
    providers: [HeaderHops],
    ordered: true,
    act: async (p) => {
      await p.fire(new Job('h'), { headers: { tenant: 'acme' } });
    },
    expected: {
      rejected: null,
      calls: ['hop-1 {"tenant":"acme"}', 'hop-2 {"stage":"two","tenant":"acme"}', 'hop-3 {"stage":"two","tenant":"acme"}'],
      deliveries: ['faithful.done hop-3: completed after 1', 'faithful.job hop-1: completed after 1', 'faithful.step hop-2: completed after 1'],
      causes: ['faithful.job → faithful.step', 'faithful.step → faithful.done'],
      faults: [],
    },
  },
  {
    name: 'dedupe (throttle): fires within the ttl are merged into the first; another key is a message of its own',
    providers: [DedupeListeners],
    ordered: false,
    act: async (p) => {
      const a = [];
      for (let size = 1; size <= 3; size++) a.push(await p.fire(new Job('a', size), { dedupe: { key: 'a', ttl: 60_000 } }));
      const b = await p.fire(new Job('b', 9), { dedupe: { key: 'b', ttl: 60_000 } });
      expectMerged([...a, b], 2);
    },
    expected: {
      rejected: null,
      calls: ['x#1 a/1', 'x#1 b/9', 'y#1 a/1', 'y#1 b/9', 'z#1 a/1', 'z#1 b/9'],
      deliveries: [
        'faithful.job x: completed after 1',
        'faithful.job x: completed after 1',
        'faithful.job y: completed after 1',
        'faithful.job y: completed after 1',
        'faithful.job z: completed after 1',
        'faithful.job z: completed after 1',
      ],
      causes: [],
      faults: [],
    },
  },
  {
    name: 'dedupe (debounce): later fires merge into the pending message, which runs once, with the last payload',
    providers: [DedupeListeners],
    ordered: false,
    act: async (p) => {
      const receipts = [];
      for (let size = 1; size <= 3; size++) receipts.push(await p.fire(new Job('d', size), { dedupe: { key: 'd', ttl: 300, mode: 'debounce' } }));
      expectMerged(receipts, 1);
      if (receipts[0]!.deduplicated) throw new Error('the first fire of a window holds it');
    },
    expected: {
      rejected: null,
      calls: ['x#1 d/3', 'y#1 d/3', 'z#1 d/3'],
      deliveries: ['faithful.job x: completed after 1', 'faithful.job y: completed after 1', 'faithful.job z: completed after 1'],
      causes: [],
      faults: [],
    },
  },
];
