import { deliveryIdOf } from '../message/delivery-id.js';
import { currentMessagioContext } from '../message/messagio-context.js';
import type {
  MessagioDeliveryEndedEvent,
  MessagioDeliveryEvent,
  MessagioDeliveryFailedEvent,
  MessagioDeliveryRetryEvent,
  MessagioFiredEvent,
  MessagioObserver,
} from '../delivery/messagio-observer.js';
import type { DeliveryFactory } from '../delivery/delivery.factory.js';
import type { Delivery } from '../contract/delivery.types.js';
import type { MessagioEnvelope } from '../message/envelope.js';
import type { MessagioCause } from '../message/fire-options.js';
import type { MessageTypesRegistry } from '../message/message-types.registry.js';
import type { MessagioClass } from '../message/messagio.js';
import { MessagioRunawayError } from './errors.js';
import { MessagioDeliveryRecord, MessagioFiredRecord, type MessagioFiredBy, type MessagioMessageEnvelope } from './records.js';

/** What the harness counts; a drain's summary is the difference over it. */
export interface HarnessCounters {
  fired: number;
  attempts: number;
  completed: number;
  retried: number;
  failed: number;
}

interface Guard {
  max: number;
  fired: number;
  byType: Record<string, number>;
  tripped: MessagioFiredRecord | undefined;
}

/**
 * What the harness saw: fired messages (recorded as their deliveries reach
 * the test transport, or from the publisher's `fired` event for those that
 * never do), each delivery and its attempts (from the pipeline's observer
 * events), the counters a drain summarises, and the runaway guard of a drain.
 */
export class HarnessRecorder {
  records: MessagioFiredRecord[] = [];
  deliveryRecords = new Map<string, MessagioDeliveryRecord>();
  counters: HarnessCounters = zero();
  /** Fired records created at enqueue, waiting for the publisher's `fired` event. */
  private awaitingReceipt = new Map<string, MessagioFiredRecord>();
  /** Messages fired into the outbox, recorded at their fire: the relay's enqueue later is the same message, not another fire. */
  private inOutbox = new Set<string>();
  private guard: Guard | undefined;

  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly factory: DeliveryFactory,
    /** Called once when a drain's listeners fire more than it allows. */
    private readonly onRunaway: () => void,
  ) {}

  /** Counts the messages fired from now on against `max` (one drain). */
  guardFires(max: number): void {
    this.guard = { max, fired: 0, byType: {}, tripped: undefined };
  }

  /** The error to stop a drain with, once its listeners fired more than it allows. */
  runaway(): MessagioRunawayError | undefined {
    const guard = this.guard;
    return guard?.tripped ? new MessagioRunawayError(guard.max, guard.byType, this.chainOf(guard.tripped)) : undefined;
  }

  endGuard(): void {
    this.guard = undefined;
  }

  /** Forgets everything. */
  clear(): void {
    this.records = [];
    this.awaitingReceipt = new Map();
    this.inOutbox = new Set();
    this.deliveryRecords = new Map();
    this.counters = zero();
    this.guard = undefined;
  }

  /** A fired message, recorded when its deliveries reach the transport (before any of them can run). */
  recordEnqueued(deliveries: Delivery[]): void {
    const byMessage = new Map<string, MessagioEnvelope[]>();
    for (const d of deliveries) byMessage.set(d.envelope.id, [...(byMessage.get(d.envelope.id) ?? []), d.envelope]);
    for (const envelopes of byMessage.values()) {
      const { listener: _listener, ...envelope } = envelopes[0]!;
      if (this.inOutbox.has(envelope.id)) continue;
      const record = this.addFired(envelope, envelopes, false, this.types.classFor(envelope.type));
      this.awaitingReceipt.set(record.messageId, record);
    }
  }

  /**
   * A debounced fire gave its payload to the pending message `messageId`: its
   * deliveries not started yet are recorded with that payload (what their
   * listeners will get). The fire itself is recorded from its `fired` event.
   */
  recordMerged(messageId: string, payload: Record<string, unknown>): void {
    for (const [id, record] of this.deliveryRecords) {
      if (record.messageId !== messageId || record.status !== 'queued') continue;
      this.deliveryRecords.set(id, new MessagioDeliveryRecord({ ...record.envelope, payload }, this.types.classFor(record.type)));
    }
  }

  private addFired(
    envelope: MessagioMessageEnvelope,
    envelopes: readonly MessagioEnvelope[],
    sync: boolean,
    cls: MessagioClass | undefined,
    by: MessagioFiredBy | null = firedByOf(currentMessagioContext()),
  ): MessagioFiredRecord {
    const record = new MessagioFiredRecord(this.records.length, envelope, envelopes.map((e) => e.listener), sync, by, cls);
    this.records.push(record);
    this.counters.fired++;
    for (const e of envelopes) {
      const id = deliveryIdOf(e.id, e.listener);
      if (!this.deliveryRecords.has(id)) this.deliveryRecords.set(id, new MessagioDeliveryRecord(e, cls));
    }
    const guard = this.guard;
    if (guard) {
      guard.fired++;
      guard.byType[record.type] = (guard.byType[record.type] ?? 0) + 1;
      if (guard.fired > guard.max && !guard.tripped) {
        guard.tripped = record;
        this.onRunaway();
      }
    }
    return record;
  }

  /** The causes of a message, oldest first, as `type (listener)`. */
  private chainOf(record: MessagioFiredRecord): string[] {
    const byId = new Map(this.records.map((r) => [r.messageId, r]));
    const chain: string[] = [];
    for (let r: MessagioFiredRecord | undefined = record; r && chain.length < 8; r = r.causationId ? byId.get(r.causationId) : undefined) {
      chain.unshift(r.firedBy ? `${r.type} (fired by ${r.firedBy.listener})` : r.type);
    }
    return chain;
  }

  private delivery(event: MessagioDeliveryEvent): MessagioDeliveryRecord | undefined {
    const envelope = event.envelope;
    if (!envelope) return undefined;
    const id = deliveryIdOf(envelope.id, envelope.listener);
    let record = this.deliveryRecords.get(id);
    if (!record) {
      record = new MessagioDeliveryRecord(envelope, this.types.classFor(envelope.type));
      this.deliveryRecords.set(id, record);
    }
    record.transport = event.transport;
    return record;
  }

  private attempt(record: MessagioDeliveryRecord, attempt: number) {
    let entry = record.attempts.find((a) => a.attempt === attempt);
    if (!entry) {
      entry = { attempt, outcome: 'running' };
      record.attempts.push(entry);
      this.counters.attempts++;
    }
    return entry;
  }

  /** Added to the app's observers: records what the pipeline reports. */
  readonly observer: MessagioObserver = {
    fired: (event: MessagioFiredEvent) => {
      const awaiting = this.awaitingReceipt.get(event.receipt.messageId);
      if (awaiting) {
        this.awaitingReceipt.delete(event.receipt.messageId);
        awaiting.receipt = event.receipt;
        // Recorded as the transport took it: a cause given as `causedBy` is known only here.
        if (awaiting.firedBy === null) (awaiting as { firedBy: MessagioFiredBy | null }).firedBy = firedByOf(event.causedBy);
        return;
      }
      if (event.receipt.pending === 'outbox') this.inOutbox.add(event.receipt.messageId);
      // Sync fires, outbox fires (not yet, or never: rolled back) and messages nobody listens to never reach the transport here.
      const first = event.envelopes[0];
      const envelope: MessagioMessageEnvelope = first
        ? (({ listener: _listener, ...rest }) => rest)(first)
        : this.factory.envelopeOf(event.message, event.type, event.receipt, event.headers, event.causedBy);
      const record = this.addFired(envelope, event.envelopes, event.sync, event.message.constructor as MessagioClass, firedByOf(event.causedBy));
      record.receipt = event.receipt;
    },
    started: (event: MessagioDeliveryEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      // Run again after it finished (MessagioAdmin.retry): a fresh set of attempts.
      if (record.status === 'completed' || record.status === 'failed') {
        record.attempts.length = 0;
        record.error = undefined;
        record.poison = false;
      }
      record.status = 'running';
      this.attempt(record, event.attempt);
    },
    completed: (event: MessagioDeliveryEndedEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      record.status = 'completed';
      record.error = undefined;
      this.attempt(record, event.attempt).outcome = 'completed';
      this.counters.completed++;
    },
    retrying: (event: MessagioDeliveryRetryEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      record.status = 'retrying';
      Object.assign(this.attempt(record, event.attempt), { outcome: 'retry', error: event.error, delay: event.delay });
      this.counters.retried++;
    },
    failed: (event: MessagioDeliveryFailedEvent) => {
      const record = this.delivery(event);
      if (!record) return;
      record.status = 'failed';
      record.error = event.error;
      record.poison = event.poison;
      // A poison delivery never started its listener: its attempt is recorded here.
      Object.assign(this.attempt(record, event.attempt), { outcome: 'failed', error: event.error });
      this.counters.failed++;
    },
  };
}

function zero(): HarnessCounters {
  return { fired: 0, attempts: 0, completed: 0, retried: 0, failed: 0 };
}

/** The delivery that fired a message: its cause when that names a listener (a `MessagioContext`). */
function firedByOf(cause: MessagioCause | undefined): MessagioFiredBy | null {
  const listener = (cause as { listener?: unknown } | undefined)?.listener;
  return cause !== undefined && typeof listener === 'string' ? { messageId: cause.messageId, listener } : null;
}
