import type { FireReceipt } from '../message/fire-options.js';
import { rebuildMessage } from '../message/codec.js';
import type { MessagioEnvelope } from '../message/envelope.js';
import type { Messagio, MessagioClass } from '../message/messagio.js';
import { deliveryIdOf } from '../message/delivery-id.js';

/** A message's envelope without the listener part: what all its deliveries share. */
export type MessagioMessageEnvelope = Omit<MessagioEnvelope, 'listener'>;

/** Where a delivery stands, as the harness saw it. */
export type MessagioTestDeliveryStatus = 'queued' | 'running' | 'retrying' | 'completed' | 'failed';

/** The delivery whose listener fired a message. */
export interface MessagioFiredBy {
  messageId: string;
  listener: string;
}

/**
 * A fired message, as the harness recorded it. `message` is rebuilt from the
 * stored payload (a JSON round trip and class-transformer, as a worker does),
 * not the instance that was fired.
 * @publicApi
 */
export class MessagioFiredRecord<T extends Messagio = Messagio> {
  /** Set when the publisher reports the fire (after the deliveries are stored). */
  receipt: FireReceipt | undefined;
  private rebuilt: T | undefined;

  constructor(
    /** Order of the fire in this test (0-based). */
    readonly seq: number,
    readonly envelope: MessagioMessageEnvelope,
    /** Listeners a delivery was made for, in priority order. */
    readonly listeners: readonly string[],
    /** Fired with `{ sync: true }`. */
    readonly sync: boolean,
    /** The delivery whose listener fired it; null outside listeners (and for faults, see `causationId`). */
    readonly firedBy: MessagioFiredBy | null,
    private readonly cls: MessagioClass<T> | undefined,
  ) {}

  get type(): string {
    return this.envelope.type;
  }
  get messageId(): string {
    return this.envelope.id;
  }
  get traceId(): string {
    return this.envelope.traceId;
  }
  get causationId(): string | null {
    return this.envelope.causationId;
  }

  /** The message, rebuilt from its payload as a listener receives it. */
  get message(): T {
    this.rebuilt ??= rebuild(this.cls, this.envelope.payload);
    return this.rebuilt;
  }
}

/** One attempt of a delivery. */
export interface MessagioAttemptRecord {
  attempt: number;
  outcome: 'running' | 'completed' | 'retry' | 'failed';
  error?: Error;
  /** Milliseconds (virtual, under the harness) before the next attempt. */
  delay?: number;
}

/**
 * One delivery (message × listener), as the harness saw it.
 * @publicApi
 */
export class MessagioDeliveryRecord<T extends Messagio = Messagio> {
  status: MessagioTestDeliveryStatus = 'queued';
  readonly attempts: MessagioAttemptRecord[] = [];
  /** The error that failed it for good. */
  error: Error | undefined;
  /** Failed without running the listener: the payload could not be rebuilt or validated, or the envelope was undeliverable. */
  poison = false;
  /** Transport that ran it last: 'test', 'sync', 'bullmq'... */
  transport: string | undefined;
  private rebuilt: T | undefined;

  constructor(
    readonly envelope: MessagioEnvelope,
    private readonly cls: MessagioClass<T> | undefined,
  ) {}

  get deliveryId(): string {
    return deliveryIdOf(this.envelope.id, this.envelope.listener);
  }
  get messageId(): string {
    return this.envelope.id;
  }
  get type(): string {
    return this.envelope.type;
  }
  get listener(): string {
    return this.envelope.listener;
  }
  get traceId(): string {
    return this.envelope.traceId;
  }

  /** The message rebuilt from the delivery's payload. */
  get message(): T {
    this.rebuilt ??= rebuild(this.cls, this.envelope.payload);
    return this.rebuilt;
  }
}

function rebuild<T extends Messagio>(cls: MessagioClass<T> | undefined, payload: Record<string, unknown>): T {
  const plain = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
  return cls ? rebuildMessage(cls, plain) : (plain as T);
}
