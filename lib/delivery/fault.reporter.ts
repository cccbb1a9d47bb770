import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ListenerRegistry } from '../listeners/listener.registry.js';
import { FAULT_TYPE, MessagioFault } from '../message/messagio-fault.js';
import { deliveryIdOf, splitDeliveryId } from '../message/delivery-id.js';
import type { DeliveryAttempt, FailedOutcome } from '../contract/delivery.types.js';
import type { ScheduleTick } from '../contract/schedule.types.js';
import { fitFault, type MessagioFaultFields } from './fault-size.js';
import { logSafe } from './log-safe.js';
import type { MessagioPublisher } from './messagio.publisher.js';

/** The `type` of the fault of a schedule tick that fired nothing. */
export const SCHEDULE_FAULT_TYPE = 'messagio.schedule';

/** Characters of unreadable data a fault carries in `raw`. */
export const RAW_EXCERPT_LENGTH = 2048;

/**
 * Fires a `MessagioFault` for every delivery that failed for good, when anyone
 * listens to faults, for the delivery runner: before the transport (BullMQ,
 * memory, sync) records the failure, so at least once. A failed fault delivery
 * produces none (no loops). A fault is never dropped for its size (see
 * fitFault); firing problems (Redis gone) are logged.
 */
export class MessagioFaultReporter {
  private readonly logger = new Logger('Messagio');

  constructor(
    private readonly publisher: MessagioPublisher,
    private readonly listeners: ListenerRegistry,
    /** The cap a fault is fired under (see fitFault). */
    private readonly maxPayloadBytes: number,
  ) {}

  /**
   * Reports the failure of a delivery's attempt `attempt`. `data` is what the
   * transport handed to the dispatcher: for data that could not be read as an
   * envelope, the fault says what could be read of it.
   */
  async report(outcome: FailedOutcome, attempt: DeliveryAttempt, data: unknown = outcome.envelope): Promise<void> {
    if (this.listeners.bindingsFor(FAULT_TYPE).length === 0) return;
    const fields = outcome.envelope ? this.ofEnvelope(outcome, attempt) : this.ofUnreadable(outcome, attempt, data);
    if (fields.type === FAULT_TYPE) return;
    try {
      fitFault(fields, this.maxPayloadBytes);
      // A trace id that fire() refuses (another producer's) still lets the fault travel, under a new one.
      const traceId = isUsableId(fields.traceId) ? fields.traceId : randomUUID();
      // The fault carries the failed delivery's headers (checked by the envelope guard), as a fire inside its listener would.
      const options = { messageId: faultIdOf(fields, attempt), traceId, headers: outcome.envelope?.headers };
      await this.publisher.fireCausedBy(new MessagioFault(fields), options, fields.messageId);
    } catch (error) {
      // The ids come from stored data: escaped, so they cannot forge log lines.
      this.logger.error(
        logSafe(
          `Could not fire MessagioFault for ${fields.listener || '?'} on ${fields.type || '?'} ` +
            `(messageId=${fields.messageId || '?'} deliveryId=${fields.deliveryId}): ${(error as Error)?.message}`,
        ),
      );
    }
  }

  /**
   * Reports a schedule tick that fired nothing: type `messagio.schedule`, the
   * schedule id as `listener`, the tick's message id, its stored id as
   * `deliveryId` (one fault per tick, however often it is reported).
   */
  async reportTick(tick: ScheduleTick, messageId: string, error: Error, poison: boolean): Promise<void> {
    if (this.listeners.bindingsFor(FAULT_TYPE).length === 0) return;
    const fields: MessagioFaultFields = {
      type: SCHEDULE_FAULT_TYPE,
      messageId,
      traceId: randomUUID(),
      listener: tick.schedule,
      attempts: 1,
      error: errorOf(error),
      payload: { schedule: tick.schedule, at: new Date(tick.at).toISOString() },
      poison,
      deliveryId: tick.id ?? messageId,
    };
    try {
      fitFault(fields, this.maxPayloadBytes);
      await this.publisher.fireCausedBy(new MessagioFault(fields), { messageId: faultIdOf(fields, { attempt: 1, transport: '' }), traceId: fields.traceId }, messageId);
    } catch (fireError) {
      this.logger.error(logSafe(`Could not fire MessagioFault for the tick of schedule ${tick.schedule} (${messageId}): ${(fireError as Error)?.message}`));
    }
  }

  private ofEnvelope(outcome: FailedOutcome, attempt: DeliveryAttempt): MessagioFaultFields {
    const envelope = outcome.envelope!;
    return {
      type: envelope.type,
      ...(envelope.typeVersion !== undefined ? { typeVersion: envelope.typeVersion } : {}),
      messageId: envelope.id,
      traceId: envelope.traceId,
      listener: envelope.listener,
      attempts: attempt.attempt,
      error: errorOf(outcome.error),
      payload: envelope.payload,
      poison: outcome.poison,
      deliveryId: attempt.id ?? deliveryIdOf(envelope.id, envelope.listener),
    };
  }

  /** What can be read of data that is not an envelope: its fields if strings, else the stored id and name. */
  private ofUnreadable(outcome: FailedOutcome, attempt: DeliveryAttempt, data: unknown): MessagioFaultFields {
    const read = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const stored = attempt.id?.includes('|') ? splitDeliveryId(attempt.id) : undefined;
    return {
      type: stringOf(read.type) ?? attempt.name ?? '',
      messageId: stringOf(read.id) ?? stored?.messageId ?? attempt.id ?? '',
      traceId: stringOf(read.traceId) ?? randomUUID(),
      listener: stringOf(read.listener) ?? stored?.listener ?? '',
      attempts: attempt.attempt,
      error: errorOf(outcome.error),
      payload: {},
      poison: outcome.poison,
      deliveryId: attempt.id ?? '',
      raw: excerptOf(data),
    };
  }
}

/**
 * Deterministic id of a fault: the same final failure reported twice (a crash
 * between firing the fault and recording the failure re-runs that attempt) is
 * stored once, and each retry cycle's final failure gets a fault of its own.
 * Cycle 0 of a readable delivery keeps the id earlier versions gave (the
 * delivery id alone). Unreadable data adds its name and excerpt, since job ids
 * BullMQ generates repeat across queues.
 */
function faultIdOf(fields: MessagioFaultFields, attempt: DeliveryAttempt): string {
  const cycle = attempt.cycle ?? 0;
  let key = fields.deliveryId ?? '';
  if (cycle > 0) key += `\n${cycle}`;
  if (fields.raw !== undefined) key += `\n${attempt.name ?? ''}\n${fields.raw}`;
  return `fault-${createHash('sha1').update(key).digest('hex')}`;
}

function errorOf(error: Error): MessagioFaultFields['error'] {
  return { name: error.name, message: error.message, stack: error.stack };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What fire() accepts as a trace id. */
function isUsableId(value: string): boolean {
  return value !== '' && !/[:|]/.test(value);
}

/** The data as JSON, cut after RAW_EXCERPT_LENGTH characters. */
function excerptOf(data: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(data) ?? String(data);
  } catch {
    json = Object.prototype.toString.call(data);
  }
  if (json.length <= RAW_EXCERPT_LENGTH) return json;
  const code = json.charCodeAt(RAW_EXCERPT_LENGTH - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? RAW_EXCERPT_LENGTH - 1 : RAW_EXCERPT_LENGTH; // not half a surrogate pair
  return `${json.slice(0, end)}… [truncated from ${json.length} characters]`;
}
