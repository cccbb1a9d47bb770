import { Injectable, Logger } from '@nestjs/common';
import type { FireReceipt, MessagioCause } from '../message/fire-options.js';
import type { MessagioEnvelope } from '../message/envelope.js';
import type { MessagioHeaders } from '../message/message-headers.js';
import type { Messagio } from '../message/messagio.js';

/** A message was fired: its deliveries are stored (or, with `sync`, about to run). */
export interface MessagioFiredEvent {
  message: Messagio;
  type: string;
  receipt: FireReceipt;
  envelopes: readonly MessagioEnvelope[];
  sync: boolean;
  /** The headers the message carries, if any (also in each envelope). */
  headers?: MessagioHeaders;
  /** The delivery that caused it (the fire's `causedBy`, else the one handled in its async context), if any. */
  causedBy?: MessagioCause;
}

/** One attempt of one delivery. `envelope` is undefined when the stored data was not an envelope. */
export interface MessagioDeliveryEvent {
  envelope: MessagioEnvelope | undefined;
  /** The stored data as the transport gave it (for undeliverable data). */
  data: unknown;
  attempt: number;
  transport: string;
}

export interface MessagioDeliveryEndedEvent extends MessagioDeliveryEvent {
  durationMs: number;
}

export interface MessagioDeliveryRetryEvent extends MessagioDeliveryEndedEvent {
  error: Error;
  /** Milliseconds until the next attempt. */
  delay: number;
}

export interface MessagioDeliveryFailedEvent extends MessagioDeliveryEndedEvent {
  error: Error;
  /** True for deliveries that could never succeed (bad envelope, unknown type or listener, invalid payload). */
  poison: boolean;
}

/**
 * Hooks into the life of messages and deliveries, for metrics, logging and
 * test harnesses. Every method is optional and called synchronously (a
 * promise it returns is not awaited); an observer that throws, or whose
 * promise rejects, is logged and ignored: it never affects a delivery.
 * @publicApi
 */
export interface MessagioObserver {
  fired?(event: MessagioFiredEvent): void;
  started?(event: MessagioDeliveryEvent): void;
  completed?(event: MessagioDeliveryEndedEvent): void;
  retrying?(event: MessagioDeliveryRetryEvent): void;
  failed?(event: MessagioDeliveryFailedEvent): void;
}

type Hook = keyof MessagioObserver;

/**
 * The observers of this app: from the `observers` module option and from
 * `add()`. Injectable.
 * @publicApi
 */
@Injectable()
export class MessagioObservers {
  private readonly logger = new Logger('Messagio');
  private list: MessagioObserver[] = [];

  /** Adds an observer; returns a function that removes it. */
  add(observer: MessagioObserver): () => void {
    this.list = [...this.list, observer];
    return () => {
      this.list = this.list.filter((o) => o !== observer);
    };
  }

  /** True when anyone listens: lets the hot path skip building events. */
  get active(): boolean {
    return this.list.length > 0;
  }

  emit<H extends Hook>(hook: H, event: Parameters<NonNullable<MessagioObserver[H]>>[0]): void {
    for (const observer of this.list) {
      const fn = observer[hook] as ((e: typeof event) => unknown) | undefined;
      if (!fn) continue;
      try {
        const result = fn.call(observer, event);
        // An async hook's rejection would be unhandled, and end the process.
        if (result !== undefined && typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.report(hook, error));
        }
      } catch (error) {
        this.report(hook, error);
      }
    }
  }

  private report(hook: Hook, error: unknown): void {
    this.logger.error(`A MessagioObserver threw in ${hook}: ${(error as Error)?.message}`, (error as Error)?.stack);
  }
}
