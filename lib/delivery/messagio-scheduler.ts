import { Logger } from '@nestjs/common';
import type { MessagioScheduleInfo, MessagioScheduleSpec, TickHandler, TickOutcome } from '../contract/schedule.types.js';
import { MessagioClosedError } from '../errors/messagio-closed.error.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioScheduleError } from '../errors/messagio-schedule.error.js';
import { MessagioUnavailableError } from '../errors/messagio-unavailable.error.js';
import { MessagioUnknownScheduleError } from '../errors/messagio-unknown-schedule.error.js';
import type { DeclaredSchedules } from '../listeners/declared-schedules.js';
import type { Messagio } from '../message/messagio.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import { checkScheduleId, resolveScheduleSpec } from '../transports/schedule-timing.js';
import type { MessagioFaultReporter } from './fault.reporter.js';
import { logSafe } from './log-safe.js';
import type { MessagioPublisher } from './messagio.publisher.js';

/**
 * What a schedule fires at each tick: a function returning the message (or a
 * promise of it), called in the process that runs the tick.
 * @publicApi
 */
export type MessagioScheduleFactory = () => Messagio | Promise<Messagio>;

/** The message id of a schedule's tick: the same for every run of that tick, so a tick run again fires nothing new. */
export function tickMessageIdOf(schedule: string, at: number): string {
  return `${schedule}@${at}`;
}

/**
 * Recurring messages that fire once per tick across every instance of the
 * app (on BullMQ, a job scheduler per schedule: one next tick, whoever
 * upserts it). Each tick fires a real message through the publisher
 * (validation, one delivery per listener, a new trace), with a message id
 * derived from the schedule and the tick's time.
 *
 * The schedule (when) is stored by the transport; the factory (what) lives in
 * code: every process that consumes the default queue must upsert (or
 * declare with `@MessagioSchedule`) the schedules it may run. A tick for an
 * id this process has no factory for fails with `MessagioUnknownScheduleError`
 * and a `MessagioFault`.
 * @publicApi
 */
export class MessagioScheduler {
  private readonly logger = new Logger('Messagio');
  private readonly factories = new Map<string, MessagioScheduleFactory>();

  constructor(
    private readonly publisher: MessagioPublisher,
    private readonly transport: MessagioTransport,
    private readonly faults: MessagioFaultReporter,
    private readonly declared: DeclaredSchedules,
  ) {}

  /**
   * Creates or replaces schedule `id`, firing `factory()`'s message at each
   * tick. Upserting the same id and schedule again (every instance at boot)
   * changes nothing; another schedule replaces it.
   */
  async upsert(id: string, schedule: MessagioScheduleSpec, factory: MessagioScheduleFactory): Promise<void> {
    checkScheduleId(id);
    if (typeof factory !== 'function') throw new MessagioConfigurationError(`Schedule "${id}": the factory must be a function returning the message to fire.`);
    const spec = resolveScheduleSpec(id, schedule);
    const upsert = this.capable('upsertSchedule').upsertSchedule!.bind(this.transport);
    this.factories.set(id, factory);
    await upsert(id, spec);
  }

  /** Stops schedule `id` (its next tick included); false when there was none. */
  async remove(id: string): Promise<boolean> {
    const removed = await this.capable('removeSchedule').removeSchedule!(id);
    this.factories.delete(id);
    return removed;
  }

  /** The schedules stored, with their next tick. */
  list(): Promise<MessagioScheduleInfo[]> {
    return this.capable('listSchedules').listSchedules!();
  }

  /**
   * Upserts the `@MessagioSchedule` methods found at module init. Called by
   * the module's lifecycle at bootstrap, before consuming starts. Not for
   * application code.
   * @internal
   */
  async upsertDeclared(): Promise<void> {
    for (const { id, spec, source, factory } of this.declared.list()) {
      try {
        await this.upsert(id, spec, factory);
      } catch (error) {
        if (error instanceof MessagioConfigurationError) throw new MessagioConfigurationError(`@MessagioSchedule on ${source}: ${error.message}`, { cause: error });
        throw error;
      }
    }
  }

  /**
   * Runs one tick: asks the schedule's factory for the message and fires it
   * with the tick's message id. A failure that may pass (the transport could
   * not store it, the app is closing) is retried by the transport; any other,
   * and the last attempt, gets a `MessagioFault`.
   */
  readonly tick: TickHandler = async (tick): Promise<TickOutcome> => {
    const messageId = tickMessageIdOf(tick.schedule, tick.at);
    const outcome = await this.fireTick(tick.schedule, messageId);
    if (outcome.status === 'fired') return outcome;
    const again = outcome.retry && !tick.lastAttempt;
    this.logger.error(logSafe(`Tick ${messageId} of schedule "${tick.schedule}" fired nothing${again ? ' (it will be tried again)' : ''}: ${outcome.error.message}`));
    if (!again) await this.faults.reportTick(tick, messageId, outcome.error, !outcome.retry);
    return outcome;
  };

  private async fireTick(schedule: string, messageId: string): Promise<TickOutcome> {
    const factory = this.factories.get(schedule);
    if (!factory) return { status: 'failed', error: new MessagioUnknownScheduleError(schedule), retry: false };
    let message: Messagio;
    try {
      message = await factory();
    } catch (thrown) {
      return { status: 'failed', error: new MessagioScheduleError(schedule, thrown), retry: false };
    }
    try {
      await this.publisher.fire(message, { messageId });
      return { status: 'fired', messageId };
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      // Storage trouble, or this app closing: another attempt (maybe in another process) may succeed.
      return { status: 'failed', error, retry: error instanceof MessagioUnavailableError || error instanceof MessagioClosedError };
    }
  }

  private capable(method: 'upsertSchedule' | 'removeSchedule' | 'listSchedules'): MessagioTransport {
    if (typeof this.transport[method] !== 'function') {
      throw new MessagioConfigurationError(`The ${this.transport.name} transport cannot keep schedules (no ${method}()): use the BullMQ or memory transport.`);
    }
    return this.transport;
  }
}
