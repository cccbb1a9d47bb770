import { FAULT_TYPE } from '../message/messagio-fault.js';
import type { Messagio } from '../message/messagio.js';
import type { MessagioDeliveryRecord, MessagioFiredRecord, MessagioTestDeliveryStatus } from './records.js';
import { deliveryIdOf } from '../message/delivery-id.js';

/** A message in a trace, with its deliveries. */
export interface MessagioTraceMessage {
  type: string;
  messageId: string;
  causationId: string | null;
  /** Rebuilt from the payload. */
  message: Messagio;
  deliveries: MessagioTraceDelivery[];
}

/** A delivery in a trace, with the messages its listener fired. */
export interface MessagioTraceDelivery {
  listener: string;
  deliveryId: string;
  status: MessagioTestDeliveryStatus;
  attempts: number;
  /** `Name: message` of the error that failed it for good. */
  error?: string;
  /** Messages fired while this listener ran, and the `MessagioFault` of this delivery, if any. */
  fired: MessagioTraceMessage[];
}

/**
 * Everything one trace caused: messages, their deliveries, and what each
 * listener fired, as a tree.
 * @publicApi
 */
export class MessagioTrace {
  constructor(
    readonly traceId: string,
    /** Messages with no cause in this trace (normally the one fired by the test). */
    readonly roots: MessagioTraceMessage[],
    /** Every message of the trace, in firing order. */
    readonly messages: MessagioTraceMessage[],
  ) {}

  /** Messages fired by a listener's deliveries in this trace (optionally of one type). */
  firedBy(listenerId: string, type?: string): MessagioTraceMessage[] {
    return this.messages
      .flatMap((m) => m.deliveries)
      .filter((d) => d.listener === listenerId)
      .flatMap((d) => d.fired)
      .filter((m) => type === undefined || m.type === type);
  }

  /**
   * The tree as text, one line per message and delivery, without ids:
   * ```
   * orders.order-placed
   * ├─ payment: completed (2 attempts)
   * │  └─ orders.order-confirmed
   * │     └─ shipping: completed
   * └─ audit: completed
   * ```
   */
  format(): string {
    const lines: string[] = [];
    const message = (m: MessagioTraceMessage, indent: string, head: string) => {
      lines.push(`${head}${m.type}`);
      m.deliveries.forEach((d, i) => {
        const last = i === m.deliveries.length - 1;
        lines.push(`${indent}${last ? '└─ ' : '├─ '}${describe(d)}`);
        const below = `${indent}${last ? '   ' : '│  '}`;
        d.fired.forEach((f, j) => {
          const lastFired = j === d.fired.length - 1;
          message(f, `${below}${lastFired ? '   ' : '│  '}`, `${below}${lastFired ? '└─ ' : '├─ '}`);
        });
      });
    };
    for (const root of this.roots) message(root, '', '');
    return lines.join('\n');
  }

  toString(): string {
    return this.format();
  }
}

function describe(d: MessagioTraceDelivery): string {
  const attempts = d.attempts > 1 ? ` (${d.attempts} attempts)` : '';
  return `${d.listener}: ${d.status}${attempts}${d.error ? ` — ${d.error}` : ''}`;
}

/** Builds the tree of one trace from what the harness recorded. */
export function buildTrace(
  traceId: string,
  fired: readonly MessagioFiredRecord[],
  deliveries: ReadonlyMap<string, MessagioDeliveryRecord>,
): MessagioTrace {
  const seen = new Set<string>();
  const records = fired.filter((r) => r.traceId === traceId && !seen.has(r.messageId) && seen.add(r.messageId));
  const byDelivery = new Map<string, MessagioTraceDelivery>();
  const messages = records.map((r): MessagioTraceMessage => {
    const node: MessagioTraceMessage = {
      type: r.type,
      messageId: r.messageId,
      causationId: r.causationId,
      message: r.message,
      deliveries: r.listeners.map((listener) => {
        const deliveryId = deliveryIdOf(r.messageId, listener);
        const record = deliveries.get(deliveryId);
        const d: MessagioTraceDelivery = {
          listener,
          deliveryId,
          status: record?.status ?? 'queued',
          attempts: record?.attempts.length ?? 0,
          ...(record?.error ? { error: `${record.error.name}: ${record.error.message}` } : {}),
          fired: [],
        };
        byDelivery.set(deliveryId, d);
        return d;
      }),
    };
    return node;
  });
  const roots: MessagioTraceMessage[] = [];
  records.forEach((r, i) => {
    const parent = byDelivery.get(parentDelivery(r) ?? '');
    if (parent) parent.fired.push(messages[i]!);
    else roots.push(messages[i]!);
  });
  return new MessagioTrace(traceId, roots, messages);
}

/** The delivery that caused a message: the listener that fired it, or the failed delivery of a fault. */
function parentDelivery(r: MessagioFiredRecord): string | undefined {
  if (r.type === FAULT_TYPE) {
    const { messageId, listener } = r.envelope.payload as { messageId?: unknown; listener?: unknown };
    if (typeof messageId === 'string' && typeof listener === 'string') return deliveryIdOf(messageId, listener);
  }
  return r.firedBy ? deliveryIdOf(r.firedBy.messageId, r.firedBy.listener) : undefined;
}
