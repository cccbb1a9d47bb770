import type { Delivery } from '../../contract/delivery.types.js';
import { Fifo } from './fifo.js';

/** A fire waiting for room in the backlog. */
interface HeldFire {
  deliveries: Delivery[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * The in-memory transport's backpressure: fires held while its backlog is
 * full, let in oldest first as room is made. The transport decides which
 * fires wait (see MemoryTransport.holds); this keeps them in order.
 */
export class BacklogGate {
  private readonly held = new Fifo<HeldFire>();

  constructor(
    /** Stores a fire's deliveries (throws what enqueue would). */
    private readonly store: (deliveries: Delivery[]) => void,
    /** True while the backlog has room. */
    private readonly hasRoom: () => boolean,
  ) {}

  /** Fires held now. */
  get size(): number {
    return this.held.size;
  }

  /** Resolves once the deliveries are stored (rejects with what storing them threw). */
  hold(deliveries: Delivery[]): Promise<void> {
    return new Promise((resolve, reject) => this.held.add({ deliveries, resolve, reject }));
  }

  /** Stores held fires, oldest first, while there is room (or all of them: `always`). */
  admit(always = false): void {
    while (this.held.size > 0 && (always || this.hasRoom())) {
      const fire = this.held.shift();
      try {
        this.store(fire.deliveries);
        fire.resolve();
      } catch (error) {
        fire.reject(error as Error);
      }
    }
  }

  /** Rejects every held fire (nothing of them is stored). */
  refuseAll(error: () => Error): void {
    while (this.held.size > 0) this.held.shift().reject(error());
  }
}
