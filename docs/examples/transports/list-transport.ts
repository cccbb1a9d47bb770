import { MessagioModule, type Delivery, type DeliveryHandler, type DeliveryState, type MessagioTransport } from 'nestjs-messagio';

// #region transport
/** A delivery as stored: JSON, as a broker would keep it. */
interface Stored {
  id: string;
  name: string;
  json: string;
  priority: number;
  attempt: number;
}

/**
 * A toy in-process transport: what a transport does, not a production one
 * (use 'memory'). Required: name, enqueue, start, close; inspect() serves
 * receipt.wait() and MessagioAdmin.status().
 */
export class ListTransport implements MessagioTransport {
  readonly name = 'list';
  private readonly waiting: Stored[] = [];
  private readonly states = new Map<string, DeliveryState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private handler: DeliveryHandler | undefined;
  private current: Promise<void> | undefined;

  async enqueue(deliveries: Delivery[]): Promise<void> {
    for (const d of deliveries) {
      if (this.states.has(d.id)) continue; // the same delivery id again stores nothing (messageId idempotency)
      const { id: messageId, listener, type } = d.envelope;
      this.states.set(d.id, { id: d.id, messageId, listener, type, status: d.delay > 0 ? 'delayed' : 'queued', attempts: 0 });
      this.later({ id: d.id, name: type, json: JSON.stringify(d.envelope), priority: d.priority, attempt: 1 }, d.delay);
    }
  }

  async start(handler: DeliveryHandler): Promise<void> {
    this.handler = handler;
    this.pump();
  }

  async close(): Promise<void> {
    this.handler = undefined; // take no more work...
    for (const timer of this.timers) clearTimeout(timer);
    await this.current; // ...and let the delivery in flight finish
  }

  async inspect(deliveryIds: string[]): Promise<DeliveryState[]> {
    return deliveryIds.map((id) => this.states.get(id) ?? { id, messageId: id.slice(0, id.lastIndexOf('|')), listener: id.slice(id.lastIndexOf('|') + 1), status: 'unknown', attempts: 0 });
  }

  private later(stored: Stored, delay: number): void {
    if (delay <= 0) return this.push(stored);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.push(stored);
    }, delay);
    this.timers.add(timer);
  }

  private push(stored: Stored): void {
    this.states.get(stored.id)!.status = 'queued';
    this.waiting.push(stored);
    this.waiting.sort((a, b) => b.priority - a.priority); // highest first; sort is stable: FIFO among equals
    this.pump();
  }

  /** One delivery at a time: the handler decides, the transport only schedules. */
  private pump(): void {
    const handler = this.handler;
    if (!handler || this.current || this.waiting.length === 0) return;
    const stored = this.waiting.shift()!;
    const state = this.states.get(stored.id)!;
    Object.assign(state, { status: 'running', attempts: stored.attempt });
    this.current = handler(JSON.parse(stored.json), { attempt: stored.attempt, transport: this.name, id: stored.id, name: stored.name })
      .then((outcome) => {
        if (outcome.status === 'retry') {
          state.status = 'delayed';
          state.error = `${outcome.error.name}: ${outcome.error.message}`;
          this.later({ ...stored, attempt: stored.attempt + 1 }, outcome.delay);
        } else {
          state.status = outcome.status; // 'completed' or 'failed' (for good)
          state.error = outcome.status === 'failed' ? `${outcome.error.name}: ${outcome.error.message}` : undefined;
          state.finishedAt = new Date();
        }
      })
      .finally(() => {
        this.current = undefined;
        this.pump();
      });
  }
}
// #endregion

// #region use
MessagioModule.forRoot({ transport: new ListTransport() });
// #endregion
