import { DelayedError, UnrecoverableError, type Job, type JobsOptions, type KeepJobs, type Queue } from 'bullmq';
import type { DedupeDecision, DedupeSpec } from '../../contract/dedupe.types.js';
import type { Delivery } from '../../contract/delivery.types.js';
import { deliveryIdOf } from '../../message/delivery-id.js';
import { isFinished, type DeliveryState } from '../../message/delivery-state.js';
import { makeEnvelope, type MessagioEnvelope } from '../../message/envelope.js';

// Deduplication on BullMQ, one decision per message: a deduplicated fire
// stores a single "gate" job (default queue) that carries BullMQ's own
// `deduplication` option and the message's deliveries. Only that one job
// competes for the key, so all listeners see the same decision; the worker
// that takes the gate stores the deliveries (idempotent job ids), and in
// simple mode holds the gate (hence the key) until they have all finished.

/** Name of a gate job. */
export const DEDUPE_JOB = 'messagio.dedupe';

const GATE_PREFIX = 'dedupe~';

/** Most attempts at storing a gate's deliveries (Redis or PostgreSQL briefly away). */
const GATE_ATTEMPTS = 5;

/** Longest wait between two looks at a simple-mode message's deliveries. */
const MAX_POLL_DELAY = 2000;

/** Job id of a message's gate: no '|', so never a delivery id. */
export function gateIdOf(messageId: string): string {
  return `${GATE_PREFIX}${messageId}`;
}

/** The message a gate job id is for, or undefined when it is not a gate's. */
export function messageIdOfGate(jobId: string | undefined): string | undefined {
  return jobId?.startsWith(GATE_PREFIX) ? jobId.slice(GATE_PREFIX.length) : undefined;
}

/** One delivery of a gate, without the envelope the message's deliveries share. */
type GateDelivery = Omit<Delivery, 'envelope' | 'id'> & { listener: string };

/** What a gate job stores. */
export interface GateData {
  dedupe: DedupeSpec;
  head: Omit<MessagioEnvelope, 'listener' | 'payload'>;
  payload: Record<string, unknown>;
  deliveries: GateDelivery[];
  /** simple: the deliveries are stored, the gate now waits for them to finish (looked at `polls` times). */
  stored?: boolean;
  polls?: number;
}

/** What the gates need of the transport. */
export interface GateHost {
  readonly queue: Queue<MessagioEnvelope>;
  readonly removeOnComplete: boolean | number | KeepJobs;
  readonly removeOnFail: boolean | number | KeepJobs;
  /** Stores deliveries in their queues (ids already stored: no-op). */
  store(deliveries: Delivery[]): Promise<unknown>;
  /** The deliveries' states, as they are stored (no gate consulted). */
  states(deliveryIds: string[]): Promise<DeliveryState[]>;
}

/**
 * Stores the gate of a deduplicated fire; BullMQ decides in the same script
 * whether its key is free. A debounced fire that finds its key held pushes the
 * holder's gate `ttl` later (only while it still waits: `changeDelay` refuses
 * otherwise), then gives it its payload: the gate is then delayed for `ttl`,
 * long enough for that write to land first. When the holder's window has just
 * closed, the key (if it still names the holder) is freed and the fire tried
 * again, as a new window.
 */
export async function storeGate(host: GateHost, deliveries: Delivery[], dedupe: DedupeSpec): Promise<DedupeDecision> {
  const first = deliveries[0]!.envelope;
  const { listener: _listener, payload, ...head } = first;
  const data: GateData = {
    dedupe,
    head,
    payload,
    deliveries: deliveries.map(({ envelope, id: _id, ...d }) => ({ ...d, listener: envelope.listener })),
  };
  const gateId = gateIdOf(first.id);
  const opts: JobsOptions = {
    jobId: gateId,
    removeOnComplete: host.removeOnComplete,
    removeOnFail: host.removeOnFail,
    attempts: GATE_ATTEMPTS,
    backoff: { type: 'exponential', delay: 200 },
    deduplication:
      dedupe.mode === 'simple'
        ? { id: dedupe.key }
        : dedupe.mode === 'throttle'
          ? { id: dedupe.key, ttl: dedupe.ttl }
          : { id: dedupe.key, ttl: dedupe.ttl, extend: true },
  };
  if (dedupe.mode === 'debounce') opts.delay = dedupe.ttl;
  for (let attempt = 1; ; attempt++) {
    const job = await host.queue.add(DEDUPE_JOB, data as unknown as MessagioEnvelope, opts);
    if (job.id === gateId) return { deduplicated: false };
    const holder = messageIdOfGate(job.id) ?? job.id!;
    if (dedupe.mode !== 'debounce') return { deduplicated: true, mergedInto: holder };
    const gate = await host.queue.getJob(job.id!);
    if (gate && (await pushedBack(gate, dedupe.ttl!))) {
      await gate.updateData({ ...(gate.data as unknown as GateData), payload } as unknown as MessagioEnvelope);
      return { deduplicated: true, mergedInto: holder };
    }
    // The holder's gate no longer waits (its deliveries are being stored): its window is over.
    if (gate) await gate.removeDeduplicationKey();
    if (attempt >= 3) return { deduplicated: true, mergedInto: holder };
  }
}

/** True when the gate still waited and now waits `ttl` ms from now. */
async function pushedBack(gate: Job, ttl: number): Promise<boolean> {
  try {
    await gate.changeDelay(ttl);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a gate taken by a worker: stores its message's deliveries; in simple
 * mode, then looks at them with a growing pause until they have all finished
 * (the gate completes, and BullMQ frees the key). Throws what the worker
 * expects: `DelayedError` to look again later, an error to retry.
 */
export async function runGate(host: GateHost, job: Job, token: string | undefined): Promise<void> {
  const data = job.data as unknown as GateData;
  if (!isGateData(data)) throw new UnrecoverableError(`Job ${job.id} named ${DEDUPE_JOB} does not hold a messagio gate.`);
  if (!data.stored) {
    await host.store(deliveriesOf(data));
    if (data.dedupe.mode !== 'simple') return;
  } else {
    const ids = data.deliveries.map((d) => deliveryIdOf(data.head.id, d.listener));
    if ((await host.states(ids)).every((state) => isFinished(state.status))) return;
  }
  const polls = (data.polls ?? 0) + 1;
  await job.updateData({ ...data, stored: true, polls } as unknown as MessagioEnvelope);
  await job.moveToDelayed(Date.now() + Math.min(MAX_POLL_DELAY, 50 * 2 ** polls), token);
  throw new DelayedError();
}

/** A gate's state, for a delivery not stored yet: its gate waits (queued, delayed) or failed for good. */
export function stateFromGate(deliveryId: string, messageId: string, listener: string, gate: Job, state: string): DeliveryState | undefined {
  const status = state === 'delayed' ? 'delayed' : state === 'failed' ? 'failed' : state === 'completed' ? undefined : 'queued';
  if (status === undefined) return undefined;
  return {
    id: deliveryId,
    messageId,
    listener,
    ...(gate.data && typeof (gate.data as unknown as GateData).head?.type === 'string' ? { type: (gate.data as unknown as GateData).head.type } : {}),
    status,
    attempts: 0,
    ...(status === 'failed' ? { error: gate.failedReason } : {}),
  };
}

function deliveriesOf(data: GateData): Delivery[] {
  return data.deliveries.map(({ listener, ...d }) => ({
    ...d,
    id: deliveryIdOf(data.head.id, listener),
    envelope: makeEnvelope(data.head, listener, data.payload),
  }));
}

function isGateData(data: unknown): data is GateData {
  const d = data as Partial<GateData> | null;
  return typeof d === 'object' && d !== null && typeof d.head?.id === 'string' && Array.isArray(d.deliveries) && typeof d.dedupe?.mode === 'string';
}
