// Listeners of the benchmark apps. They do no work: what is measured is the
// cost of getting a delivery to them. Each calls the run's Probe.
import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { OnMessagio, type MessagioContext } from '../../lib/index.js';
import { OrderPaid, OrderPlaced, OrderShipped, type OrderPayload } from './messages.js';

/** What a trial wants to know about each delivery; swapped per app. */
export class Probe {
  delivered = 0;
  /** Called at the start of every listener. */
  onStart: (payload: OrderPayload) => void = () => {};
  /** Called when the listener is done (it does no work). */
  onDone: (payload: OrderPayload) => void = () => {};

  hit(payload: OrderPayload): void {
    this.onStart(payload);
    this.delivered++;
    this.onDone(payload);
  }
}

export const PROBE = Symbol('bench probe');

/** One listener of OrderPlaced. */
@Injectable()
export class OrderPlacedListener {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @OnMessagio(OrderPlaced)
  handle(message: OrderPlaced, _context: MessagioContext): void {
    this.probe.hit(message);
  }
}

/** Three listeners of OrderShipped (fan-out), with different priorities. */
@Injectable()
export class OrderShippedListeners {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @OnMessagio(OrderShipped, 9)
  email(message: OrderShipped): void {
    this.probe.hit(message);
  }

  @OnMessagio(OrderShipped)
  stock(message: OrderShipped): void {
    this.probe.hit(message);
  }

  @OnMessagio(OrderShipped, 3)
  audit(message: OrderShipped): void {
    this.probe.hit(message);
  }
}

/** Two listeners of OrderPaid (memory scenario). */
@Injectable()
export class OrderPaidListeners {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @OnMessagio(OrderPaid)
  ledger(message: OrderPaid): void {
    this.probe.hit(message);
  }

  @OnMessagio(OrderPaid)
  receipt(message: OrderPaid): void {
    this.probe.hit(message);
  }
}

/** The same three listeners with @nestjs/event-emitter, for scenario 6. */
@Injectable()
export class OrderShippedEventListeners {
  constructor(@Inject(PROBE) private readonly probe: Probe) {}

  @OnEvent('bench.order-shipped')
  email(message: OrderShipped): void {
    this.probe.hit(message);
  }

  @OnEvent('bench.order-shipped')
  stock(message: OrderShipped): void {
    this.probe.hit(message);
  }

  @OnEvent('bench.order-shipped')
  audit(message: OrderShipped): void {
    this.probe.hit(message);
  }
}
