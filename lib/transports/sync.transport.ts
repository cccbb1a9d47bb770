import type { Delivery } from '../contract/delivery.types.js';
import { MessagioDispatchError, type MessagioListenerFailure } from '../errors/messagio-dispatch.error.js';
import { unknownState, type DeliveryState } from '../message/delivery-state.js';
import { realClock, type MessagioClock } from './clock.js';
import { sleep } from './clock-timer.js';
import { restoreEnvelope, snapshotPayload, type PayloadSnapshot } from './json-snapshot.js';
import type { DeliveryHandler } from './messagio-transport.interface.js';

/** How a delivery of a sync fire ended (kept small: the receipt builds its state only when asked). */
interface SyncEnd {
  attempts: number;
  at: number;
  error?: Error;
}

/**
 * One sync fire's deliveries as the sync transport holds them: a snapshot of
 * their payload and how each ended. Plain data, kept as long as the fire's
 * receipt (which reads it); the transport itself keeps nothing.
 */
export interface SyncRun {
  readonly deliveries: Delivery[];
  readonly payload: PayloadSnapshot | undefined;
  readonly ends: Array<SyncEnd | undefined>;
}

/**
 * The transport of `fire({ sync: true })`: runs a message's deliveries in
 * this process, now, in priority order, each through the same handler as the
 * queued transports, with the same JSON snapshot per attempt; a retry waits
 * on the clock (the testing module's virtual clock in tests). Started at
 * bootstrap whether or not this process consumes, so a sync fire works in a
 * publish-only process.
 */
export class SyncTransport {
  readonly name = 'sync';
  private handler: DeliveryHandler | undefined;

  constructor(private readonly clock: MessagioClock = realClock) {}

  start(handler: DeliveryHandler): void {
    this.handler = handler;
  }

  /**
   * Takes the deliveries of one message, snapshotted now (before observers
   * see the message), for `run()`. `payloadJson`: the payload's JSON, if made.
   */
  store(deliveries: Delivery[], payloadJson?: string): SyncRun {
    // The deliveries of one message share its payload object.
    const payload = deliveries.length > 0 ? snapshotPayload(deliveries[0]!.envelope.payload, payloadJson) : undefined;
    return { deliveries, payload, ends: new Array<SyncEnd | undefined>(deliveries.length) };
  }

  /**
   * Runs each delivery to its end: the handler decides (retry after a delay,
   * failed, completed), this only follows. When listeners failed for good it
   * rejects with `MessagioDispatchError`, or, given `batch` (fireMany), adds
   * the error there and resolves.
   */
  async run({ deliveries, payload, ends }: SyncRun, batch?: MessagioDispatchError[]): Promise<void> {
    const handler = this.handler!;
    let failures: MessagioListenerFailure[] | undefined;
    for (let i = 0; i < deliveries.length; i++) {
      const envelope = deliveries[i]!.envelope;
      for (let attempt = 1; ; attempt++) {
        const outcome = await handler(restoreEnvelope(envelope, payload!), { attempt, transport: this.name });
        if (outcome.status === 'retry') {
          if (outcome.delay > 0) await sleep(this.clock, outcome.delay);
          continue;
        }
        if (outcome.status === 'completed') {
          ends[i] = { attempts: attempt, at: Date.now() };
          break;
        }
        ends[i] = { attempts: attempt, at: Date.now(), error: outcome.error };
        (failures ??= []).push({ listener: envelope.listener, attempts: attempt, error: outcome.error });
        break;
      }
    }
    if (!failures) return;
    const error = new MessagioDispatchError(deliveries[0]!.envelope.type, deliveries[0]!.envelope.id, failures);
    if (!batch) throw error;
    batch.push(error);
  }

  /** The states of a run's deliveries, for its receipt's `wait()`. */
  async inspect({ deliveries, ends }: SyncRun, ids: string[]): Promise<DeliveryState[]> {
    return ids.map((id) => {
      const index = deliveries.findIndex((d) => d.id === id);
      const delivery = deliveries[index];
      const end = ends[index];
      if (!delivery || !end) return unknownState(id);
      const { envelope } = delivery;
      const state: DeliveryState = {
        id,
        messageId: envelope.id,
        listener: envelope.listener,
        type: envelope.type,
        status: end.error ? 'failed' : 'completed',
        attempts: end.attempts,
        finishedAt: new Date(end.at),
      };
      if (end.error) {
        state.error = `${end.error.name}: ${end.error.message}`;
        state.stack = end.error.stack;
      }
      return state;
    });
  }
}
