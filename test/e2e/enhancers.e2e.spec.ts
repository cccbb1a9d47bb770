import {
  Catch,
  Injectable,
  Scope,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsInt, IsString, Max } from 'class-validator';
import { map, tap, type Observable } from 'rxjs';
import {
  MessagioContext,
  MessagioDispatchError,
  MessagioExecutionContext,
  MessagioFault,
  MessagioForbiddenError,
  MessagioModule,
  MessagioPublisher,
  MessagioType,
  Messagio,
  OnMessagio,
  type MessagioOutcome,
} from '../../lib/index.js';
import { redisConnection, uniqueQueue } from '../support/redis.js';
import { createApp } from './fixtures/app.js';
import { TRANSPORTS } from './fixtures/transports.js';

// Enhancers on @OnMessagio listeners, applied through Nest's ExternalContextCreator
// on every delivery, whatever carries it: BullMQ on the test redis-server, the
// memory transport, and sync fires.

@MessagioType('enhanced.order')
class Order extends Messagio {
  @IsString() id!: string;
  @IsInt() @Max(1000) qty!: number;
  constructor(id: string, qty: number) {
    super();
    this.id = id;
    this.qty = qty;
  }
}

class TransientError extends Error {
  override name = 'TransientError';
}
class Rescued extends Error {
  override name = 'Rescued';
}

/** What the enhancers and listeners of one app saw. */
const log: string[] = [];
const seen: Array<{ type: string; isOrder: boolean; context: boolean; handler: string; cls: string }> = [];

@Injectable()
class Recording implements NestInterceptor {
  intercept(host: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { message, context } = MessagioExecutionContext.of<Order>(host);
    seen.push({
      type: host.getType(),
      isOrder: message instanceof Order,
      context: context instanceof MessagioContext,
      handler: host.getHandler().name,
      cls: host.getClass().name,
    });
    const started = performance.now();
    return next.handle().pipe(
      tap({
        next: (result) => log.push(`intercepted ${context.listener}#${context.attempt} → ${String(result)}${performance.now() - started >= 25 ? ' after ≥ 25 ms' : ''}`),
        error: (error: Error) => log.push(`intercepted ${context.listener}#${context.attempt} ✗ ${error.name}`),
      }),
    );
  }
}

@Injectable()
class Doubling implements NestInterceptor {
  intercept(_host: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((result) => (typeof result === 'number' ? result * 2 : result)));
  }
}

@Injectable()
class RefuseBigOrders implements CanActivate {
  canActivate(host: ExecutionContext): boolean {
    const { message } = MessagioExecutionContext.of<Order>(host);
    log.push(`guard ${message.id}`);
    return message.qty < 100;
  }
}

/** Swallows the error (returns nothing): it is handled, and the attempt completes. */
@Catch(Rescued)
class Rescue implements ExceptionFilter {
  catch(error: Rescued, host: ArgumentsHost): void {
    const { context } = MessagioExecutionContext.of(host);
    log.push(`rescued ${context.listener}#${context.attempt} (${host.getType()}): ${error.message}`);
  }
}

/** Swallows whatever it is given: yet a guard's refusal never reaches it. */
@Catch()
class SwallowAll implements ExceptionFilter {
  catch(error: Error): void {
    log.push(`swallowed ${error.name}`);
  }
}

/** Throws another error: that is what the retry policy sees. */
@Catch(TypeError)
class Translate implements ExceptionFilter {
  catch(error: TypeError): never {
    log.push(`translated ${error.message}`);
    throw new TransientError(`was ${error.name}`);
  }
}

@Injectable()
class UpperCaseId implements PipeTransform {
  transform(value: unknown): unknown {
    return value instanceof Order ? Object.assign(value, { id: value.id.toUpperCase() }) : value;
  }
}

@Injectable()
@UseInterceptors(Recording)
class EnhancedListeners {
  @OnMessagio(Order, { id: 'intercepted', maxRetries: 1, retryDelay: 5 })
  @UseInterceptors(Doubling)
  async intercepted(order: Order, ctx: MessagioContext): Promise<number> {
    log.push(`ran intercepted#${ctx.attempt}`);
    if (order.id === 'flaky' && ctx.attempt === 1) throw new TransientError('once');
    await new Promise((resolve) => setTimeout(resolve, 30));
    return order.qty;
  }

  @OnMessagio(Order, { id: 'guarded', maxRetries: 3, retryDelay: 5 })
  @UseGuards(RefuseBigOrders)
  guarded(order: Order): void {
    log.push(`ran guarded ${order.id}`);
  }

  @OnMessagio(Order, { id: 'piped' })
  @UsePipes(UpperCaseId)
  piped(order: Order, ctx: MessagioContext): void {
    log.push(`ran piped ${order.id} ${ctx instanceof MessagioContext}`);
  }

  @OnMessagio(Order, { id: 'filtered', maxRetries: 2, retryDelay: 5, retryOn: [TransientError] })
  @UseFilters(Rescue, Translate)
  filtered(order: Order, ctx: MessagioContext): void {
    log.push(`ran filtered#${ctx.attempt}`);
    if (order.id === 'rescue') throw new Rescued('handled by the filter');
    if (order.id === 'translate' && ctx.attempt === 1) throw new TypeError('bad');
  }
}

/** A guard and a catch-all filter that swallows: the guard's refusal still fails the delivery. */
@Injectable()
class GuardedBehindFilter {
  @OnMessagio(Order, { id: 'refused-despite-filter' })
  @UseGuards(RefuseBigOrders)
  @UseFilters(SwallowAll)
  refusedDespiteFilter(order: Order): void {
    log.push(`ran refused-despite-filter ${order.id}`);
  }
}

/** Validated by a ValidationPipe only (the app runs with `validate: false`). */
@Injectable()
class ValidatedListener {
  @OnMessagio(Order, { id: 'validated', maxRetries: 2, retryDelay: 5 })
  @UsePipes(new ValidationPipe({ transform: true }))
  validated(order: Order): void {
    log.push(`ran validated ${order.id} ${order instanceof Order}`);
  }
}

/** The deliveries' outcome: `listener status attempts error`, sorted. */
function summary(outcome: MessagioOutcome): string[] {
  return outcome.deliveries.map((d) => `${d.listener} ${d.status} ${d.attempts}${d.error ? ` ${d.error}` : ''}`).sort();
}

type Path = (typeof TRANSPORTS)[number] | 'sync';

/** Fires and waits for every delivery (a sync fire has run them all when it resolves). */
async function fire(app: TestingModule, path: Path, order: Order): Promise<MessagioOutcome> {
  return (await app.get(MessagioPublisher).fire(order, { sync: path === 'sync' })).wait();
}

describe.each([...TRANSPORTS, 'sync'] as const)('enhancers on @OnMessagio listeners (%s)', (path) => {
  let app: TestingModule;
  beforeEach(() => {
    log.length = 0;
    seen.length = 0;
  });
  afterEach(async () => app?.close());

  const transport = path === 'sync' ? 'memory' : path;

  it('an interceptor wraps each attempt: ExecutionContext type messagio, (message, context), the result and the error, mapped', async () => {
    app = await createApp({ transport, providers: [EnhancedListeners] });
    const outcome = await fire(app, path, new Order('flaky', 21));
    expect(outcome.deliveries.find((d) => d.listener === 'intercepted')).toMatchObject({ status: 'completed', attempts: 2 });
    expect(log.filter((l) => l.includes(' intercepted#') || l.startsWith('ran intercepted'))).toEqual([
      'ran intercepted#1',
      'intercepted intercepted#1 ✗ TransientError',
      'ran intercepted#2',
      // The class interceptor (Recording) is outside the method's (Doubling): it sees 42, and the attempt's duration.
      'intercepted intercepted#2 → 42 after ≥ 25 ms',
    ]);
    // The other listeners of the class are intercepted too, each attempt once.
    expect(log.filter((l) => /^intercepted (guarded|piped|filtered)#1 → undefined$/.test(l)).sort()).toEqual([
      'intercepted filtered#1 → undefined',
      'intercepted guarded#1 → undefined',
      'intercepted piped#1 → undefined',
    ]);
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) expect(s).toMatchObject({ type: 'messagio', isOrder: true, context: true, cls: 'EnhancedListeners' });
    expect(new Set(seen.map((s) => s.handler))).toEqual(new Set(['intercepted', 'guarded', 'piped', 'filtered']));
  });

  it('a guard that returns false fails the delivery for good, without retries, with MessagioForbiddenError naming the guard, and a fault', async () => {
    const faults: MessagioFault[] = [];
    @Injectable()
    class FaultSink {
      @OnMessagio(MessagioFault, { id: 'faults' }) fault(f: MessagioFault) {
        faults.push(f);
      }
    }
    app = await createApp({ transport, providers: [EnhancedListeners, FaultSink] });
    const publisher = app.get(MessagioPublisher);
    if (path === 'sync') {
      const error = await publisher.fire(new Order('big', 500), { sync: true }).then(
        () => undefined,
        (e: unknown) => e as MessagioDispatchError,
      );
      expect(error).toBeInstanceOf(MessagioDispatchError);
      const failure = error!.failures.find((f) => f.listener === 'guarded')!;
      expect(failure.attempts).toBe(1);
      expect(failure.error).toBeInstanceOf(MessagioForbiddenError);
      expect((failure.error as MessagioForbiddenError).guards).toEqual(['RefuseBigOrders']);
      expect(error!.failures.map((f) => f.listener)).toEqual(['guarded']);
    } else {
      const outcome = await (await publisher.fire(new Order('big', 500))).wait();
      expect(outcome.deliveries.find((d) => d.listener === 'guarded')).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: expect.stringMatching(/^MessagioForbiddenError: A guard refused the delivery to listener "guarded" \(its guards: RefuseBigOrders\)/),
      });
      await (await publisher.fire(new Order('small', 5))).wait();
    }
    expect(log.filter((l) => l.startsWith('guard') || l.startsWith('ran guarded'))).toEqual(
      path === 'sync' ? ['guard big'] : ['guard big', 'guard small', 'ran guarded small'],
    );
    const waitForFault = async () => {
      for (let i = 0; i < 200 && faults.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    };
    await waitForFault();
    expect(faults.map((f) => `${f.listener} ${f.attempts} ${f.error.name} poison=${f.poison}`)).toEqual(['guarded 1 MessagioForbiddenError poison=false']);
  });

  it('a pipe transforms the message argument; the context argument is left as it is', async () => {
    app = await createApp({ transport, providers: [EnhancedListeners] });
    await fire(app, path, new Order('abc', 1));
    expect(log).toContain('ran piped ABC true');
  });

  it('a ValidationPipe validates the rebuilt message against its class (design:paramtypes); its refusal fails the attempt', async () => {
    app = await createApp({ transport, validate: false, providers: [ValidatedListener] });
    const good = await fire(app, path, new Order('fine', 5)).catch((e: Error) => e);
    expect(good).toMatchObject({ ok: true });
    const bad = await app
      .get(MessagioPublisher)
      .fire(new Order('huge', 5000), { sync: path === 'sync' })
      .then((r) => r.wait(), (e: MessagioDispatchError) => e);
    if (path === 'sync') {
      expect((bad as MessagioDispatchError).failures.map((f) => `${f.listener} ${f.attempts} ${f.error.name}`)).toEqual(['validated 3 BadRequestException']);
    } else {
      expect(summary(bad as MessagioOutcome)).toEqual(['validated failed 3 BadRequestException: Bad Request Exception']);
    }
    expect(log).toEqual(['ran validated fine true']);
  });

  it('a filter that swallows an error (returns, even nothing) completes the attempt; one that throws hands its error to the retry policy', async () => {
    app = await createApp({ transport, providers: [EnhancedListeners] });
    const rescued = await fire(app, path, new Order('rescue', 1));
    expect(rescued.deliveries.find((d) => d.listener === 'filtered')).toMatchObject({
      status: 'completed',
      attempts: 1,
    });
    expect(log).toContain('rescued filtered#1 (messagio): handled by the filter');
    // TypeError is not in retryOn: only the filter's TransientError makes it retried.
    const translated = await fire(app, path, new Order('translate', 1));
    expect(log.filter((l) => l.startsWith('ran filtered') || l.startsWith('translated'))).toEqual([
      'ran filtered#1',
      'ran filtered#1',
      'translated bad',
      'ran filtered#2',
    ]);
    expect(translated.deliveries.find((d) => d.listener === 'filtered')).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it("a guard's refusal is never handed to a filter: a catch-all filter that swallows cannot turn it into a completion", async () => {
    app = await createApp({ transport, providers: [GuardedBehindFilter] });
    const outcome = await fire(app, path, new Order('huge', 500)).catch((error: unknown) => error);
    if (path === 'sync') {
      expect((outcome as MessagioDispatchError).failures.filter((f) => f.listener === 'refused-despite-filter').map((f) => f.error.name)).toEqual(['MessagioForbiddenError']);
    } else {
      expect((outcome as MessagioOutcome).deliveries.find((d) => d.listener === 'refused-despite-filter')).toMatchObject({ status: 'failed', attempts: 1 });
    }
    expect(log.filter((l) => l.startsWith('swallowed') || l.startsWith('ran refused-despite-filter'))).toEqual([]);
  });
});

// ── Global enhancers: APP_* providers and app.useGlobal*() ─────────────────

@MessagioType('enhanced.note')
class Note extends Messagio {
  @IsString() text!: string;
  constructor(text: string) {
    super();
    this.text = text;
  }
}

@Injectable()
class GlobalInterceptor implements NestInterceptor {
  intercept(host: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (MessagioExecutionContext.is(host)) log.push(`APP_INTERCEPTOR ${MessagioExecutionContext.of(host).context.listener}`);
    return next.handle();
  }
}

@Injectable()
class GlobalGuard implements CanActivate {
  canActivate(host: ExecutionContext): boolean {
    const { message } = MessagioExecutionContext.of<Note>(host);
    return message.text !== 'forbidden';
  }
}

@Catch()
class GlobalFilter implements ExceptionFilter {
  catch(error: Error): void {
    log.push(`APP_FILTER ${error.name}`);
    if (error.name !== 'Swallow') throw error;
  }
}

let requestScopedInstances = 0;

@Injectable({ scope: Scope.REQUEST })
class PerDeliveryInterceptor implements NestInterceptor {
  readonly instance = ++requestScopedInstances;
  constructor(private readonly context: MessagioContext) {}
  intercept(_host: ExecutionContext, next: CallHandler): Observable<unknown> {
    log.push(`request-scoped #${this.instance} for ${this.context.messageId.slice(0, 4)}`);
    return next.handle();
  }
}

let globalScopedInstances = 0;

/** A request-scoped APP_INTERCEPTOR: Nest attaches those to controllers only; messagio resolves it per delivery. */
@Injectable({ scope: Scope.REQUEST })
class GlobalPerDeliveryInterceptor implements NestInterceptor {
  readonly instance = ++globalScopedInstances;
  intercept(host: ExecutionContext, next: CallHandler): Observable<unknown> {
    log.push(`global request-scoped #${this.instance} for ${MessagioExecutionContext.of(host).context.listener}`);
    return next.handle();
  }
}

@Injectable()
class NoteListeners {
  @OnMessagio(Note, { id: 'note', maxRetries: 2, retryDelay: 5 })
  note(note: Note): void {
    log.push(`note ${note.text}`);
    if (note.text.startsWith('swallow')) throw Object.assign(new Error('swallowed'), { name: 'Swallow' });
  }

  @OnMessagio(Note, { id: 'scoped-note' })
  @UseInterceptors(PerDeliveryInterceptor)
  scoped(note: Note): void {
    log.push(`scoped ${note.text}`);
  }
}

/** A Note's deliveries, summarised; a sync fire that failed says the same through its MessagioDispatchError. */
async function fireNote(publisher: MessagioPublisher, note: Note, path: Path): Promise<string[]> {
  if (path !== 'sync') return summary(await (await publisher.fire(note)).wait());
  try {
    return summary(await (await publisher.fire(note, { sync: true })).wait());
  } catch (error) {
    if (!(error instanceof MessagioDispatchError)) throw error;
    return error.failures.map((f) => `${f.listener} failed ${f.attempts} ${f.error.name}: ${f.error.message}`).sort();
  }
}

describe.each([...TRANSPORTS, 'sync'] as const)('global and request-scoped enhancers (%s)', (path) => {
  // Sync fires run in the firing process, whatever the transport: the memory one here.
  const transport = path === 'sync' ? 'memory' : path;
  let app: TestingModule;
  beforeEach(() => {
    log.length = 0;
  });
  afterEach(async () => app?.close());

  it('APP_INTERCEPTOR, APP_GUARD, APP_FILTER and APP_PIPE apply to every listener; request-scoped enhancers get one instance per delivery', async () => {
    app = await createApp({
      transport,
      providers: [
        NoteListeners,
        { provide: APP_INTERCEPTOR, useClass: GlobalInterceptor },
        { provide: APP_INTERCEPTOR, useClass: GlobalPerDeliveryInterceptor, scope: Scope.REQUEST },
        { provide: APP_GUARD, useClass: GlobalGuard },
        { provide: APP_FILTER, useClass: GlobalFilter },
        // forbidNonWhitelisted: a Note has nothing else; transform: the listener gets the pipe's instance.
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true }) },
      ],
    });
    const publisher = app.get(MessagioPublisher);
    expect(await fireNote(publisher, new Note('hello'), path)).toEqual(['note completed 1', 'scoped-note completed 1']);
    expect(await fireNote(publisher, new Note('swallow'), path)).toEqual(['note completed 1', 'scoped-note completed 1']);
    expect(await fireNote(publisher, new Note('forbidden'), path)).toEqual([
      'note failed 1 MessagioForbiddenError: A guard refused the delivery to listener "note" (its guards: GlobalGuard); it is failed without retries. Fix what the guard checks (the message, its headers) and retry it with MessagioAdmin, or drop the guard from this listener.',
      'scoped-note failed 1 MessagioForbiddenError: A guard refused the delivery to listener "scoped-note" (its guards: GlobalGuard); it is failed without retries. Fix what the guard checks (the message, its headers) and retry it with MessagioAdmin, or drop the guard from this listener.',
    ]);
    expect(log.filter((l) => l.startsWith('APP_INTERCEPTOR')).sort()).toEqual([
      'APP_INTERCEPTOR note',
      'APP_INTERCEPTOR note',
      'APP_INTERCEPTOR scoped-note',
      'APP_INTERCEPTOR scoped-note',
    ]);
    // The filter sees the error it swallows; the guards' refusals never reach it.
    expect(log.filter((l) => l.startsWith('APP_FILTER')).sort()).toEqual(['APP_FILTER Swallow']);
    const scoped = log.filter((l) => l.startsWith('request-scoped'));
    expect(scoped).toHaveLength(2);
    expect(new Set(scoped.map((l) => l.split(' ')[1])).size).toBe(2);
    // Every delivery that passed the guard (4) had its own instance of the global request-scoped interceptor.
    const globalScoped = log.filter((l) => l.startsWith('global request-scoped'));
    expect(globalScoped.map((l) => l.split(' for ')[1]).sort()).toEqual(['note', 'note', 'scoped-note', 'scoped-note']);
    expect(new Set(globalScoped.map((l) => l.split(' ')[2])).size).toBe(4);
  });

  it('app.useGlobalInterceptors(), useGlobalPipes(), useGlobalGuards() and useGlobalFilters() on a Nest application apply too', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MessagioModule.forRoot({ transport, ...(transport === 'bullmq' ? { connection: redisConnection() } : {}), queueName: uniqueQueue() })],
      providers: [NoteListeners],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    nest.useGlobalInterceptors(new GlobalInterceptor());
    nest.useGlobalPipes({ transform: (value: unknown) => (value instanceof Note ? new Note(`${value.text}!`) : value) });
    nest.useGlobalGuards(new GlobalGuard());
    nest.useGlobalFilters(new GlobalFilter());
    await nest.init();
    try {
      const publisher = nest.get(MessagioPublisher);
      expect(await fireNote(publisher, new Note('hi'), path)).toEqual(['note completed 1', 'scoped-note completed 1']);
      expect(log.filter((l) => l.startsWith('APP_INTERCEPTOR')).sort()).toEqual(['APP_INTERCEPTOR note', 'APP_INTERCEPTOR scoped-note']);
      expect(log).toEqual(expect.arrayContaining(['note hi!', 'scoped hi!']));
      // The global filter swallows the listener's error: the attempt completes.
      expect(await fireNote(publisher, new Note('swallow'), path)).toEqual(['note completed 1', 'scoped-note completed 1']);
      expect(log.filter((l) => l.startsWith('APP_FILTER'))).toEqual(['APP_FILTER Swallow']);
      // The global guard refuses (it reads the message before the pipes run).
      const refused = await fireNote(publisher, new Note('forbidden'), path);
      expect(refused.map((l) => l.split(':')[0])).toEqual(['note failed 1 MessagioForbiddenError', 'scoped-note failed 1 MessagioForbiddenError']);
    } finally {
      await nest.close();
    }
  });
});
