import type { Delivery } from '../contract/delivery.types.js';
import type { MessagioListenerFailure } from '../errors/messagio-dispatch.error.js';
import { unknownState, type DeliveryState } from '../message/delivery-state.js';
import { realClock, type MessagioClock } from './clock.js';
import { sleep } from './clock-timer.js';
import { restoreEnvelope, snapshotPayload, type PayloadSnapshot } from './json-snapshot.js';
import type { DeliveryHandler } from './messagio-transport.interface.js';

/**
 * The transport of `fire({ sync: true })`: runs a message's deliveries in
 * this process, now, in priority order, each through the same handler as the
 * queued transports, with the same JSON snapshot per attempt; a retry waits
 * on the clock (the testing module's virtual clock in tests). It stores
 * nothing: each fire's deliveries and their endings live in its batch, as
 * long as its receipt. Started at bootstrap whether or not this process
 * consumes, so a sync fire works in a publish-only process.
 */
export class SyncTransport {
  readonly name = 'sync';
  private handler: DeliveryHandler | undefined;

  constructor(private readonly clock: MessagioClock = realClock) {}

  start(handler: DeliveryHandler): void {
    this.handler = handler;
  }

  /**
   * The deliveries of one message, snapshotted now (before observers see the
   * message), to run with `run()`. `payloadJson`: the payload's JSON, if made.
   */
  batch(deliveries: Delivery[], payloadJson?: string): SyncBatch {
    return new SyncBatch(this.name, this.handler!, this.clock, deliveries, payloadJson);
  }
}

/** How a delivery of a batch ended (kept small: the receipt builds its state only when asked). */
interface Finished {
  attempts: number;
  at: number;
  error?: Error;
}

/** One sync fire: its deliveries, how each ended, and the states `receipt.wait()` reads. */
export class SyncBatch {
  private readonly payload: PayloadSnapshot | undefined;
  private readonly finished: Array<Finished | undefined>;

  constructor(
    private readonly transport: string,
    private readonly handler: DeliveryHandler,
    private readonly clock: MessagioClock,
    private readonly deliveries: Delivery[],
    payloadJson: string | undefined,
  ) {
    // The deliveries of one message share its payload object.
    this.payload = deliveries.length > 0 ? snapshotPayload(deliveries[0]!.envelope.payload, payloadJson) : undefined;
    this.finished = new Array(deliveries.length);
  }

  /** The deliveries' states, for the receipt's `wait()`. */
  readonly inspect = async (ids: string[]): Promise<DeliveryState[]> => ids.map((id) => this.state(id));

  /**
   * Runs each delivery to its end: the handler decides (retry after a delay,
   * failed, completed), this only follows. Resolves with the listeners that
   * failed for good, if any.
   */
  async run(): Promise<MessagioListenerFailure[] | undefined> {
    let failures: MessagioListenerFailure[] | undefined;
    for (let i = 0; i < this.deliveries.length; i++) {
      const envelope = this.deliveries[i]!.envelope;
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.handler(restoreEnvelope(envelope, this.payload!), { attempt, transport: this.transport });
        if (outcome.status === 'retry') {
          if (outcome.delay > 0) await sleep(this.clock, outcome.delay);
          continue;
        }
        if (outcome.status === 'completed') {
          this.finished[i] = { attempts: attempt, at: Date.now() };
          break;
        }
        this.finished[i] = { attempts: attempt, at: Date.now(), error: outcome.error };
        (failures ??= []).push({ listener: envelope.listener, attempts: attempt, error: outcome.error });
        break;
      }
    }
    return failures;
  }

  private state(id: string): DeliveryState {
    const index = this.deliveries.findIndex((d) => d.id === id);
    const delivery = this.deliveries[index];
    const done = this.finished[index];
    if (!delivery || !done) return unknownState(id);
    const { envelope } = delivery;
    const state: DeliveryState = {
      id,
      messageId: envelope.id,
      listener: envelope.listener,
      type: envelope.type,
      status: done.error ? 'failed' : 'completed',
      attempts: done.attempts,
      finishedAt: new Date(done.at),
    };
    if (done.error) {
      state.error = `${done.error.name}: ${done.error.message}`;
      state.stack = done.error.stack;
    }
    return state;
  }
}
