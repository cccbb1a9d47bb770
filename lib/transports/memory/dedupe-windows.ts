import type { DedupeSpec } from '../../contract/dedupe.types.js';
import type { DeliveryStatus } from '../../message/delivery-state.js';

/** The message that took a dedupe key, and until when it holds it. */
interface DedupeWindow {
  messageId: string;
  mode: DedupeSpec['mode'];
  /** throttle: the key is free from this time on. */
  until: number;
  /** The message's deliveries: simple holds the key while any is unfinished, debounce while all wait. */
  deliveryIds: string[];
}

/**
 * The dedupe keys of the in-memory transport: per key, the message that holds
 * it (one decision per message, so every listener sees the same one), with the
 * BullMQ transport's semantics (docs/firing.md#deduplication). A window is
 * checked when a fire asks for its key, from the states of its deliveries and
 * the clock: nothing to clean up in between but closed windows, dropped then.
 */
export class DedupeWindows {
  private readonly windows = new Map<string, DedupeWindow>();

  constructor(
    /** A delivery's status, or undefined once it is no longer kept. */
    private readonly statusOf: (deliveryId: string) => DeliveryStatus | undefined,
    private readonly now: () => number,
  ) {}

  /** The message holding `spec.key` now, or undefined when the key is free. */
  holder(spec: DedupeSpec): string | undefined {
    const window = this.windows.get(spec.key);
    if (!window) return undefined;
    if (this.isOpen(window)) return window.messageId;
    this.windows.delete(spec.key);
    return undefined;
  }

  /** `messageId` takes the key, for the deliveries it stores. */
  take(spec: DedupeSpec, messageId: string, deliveryIds: string[]): void {
    this.windows.set(spec.key, { messageId, mode: spec.mode, until: this.now() + (spec.ttl ?? 0), deliveryIds });
  }

  clear(): void {
    this.windows.clear();
  }

  private isOpen(window: DedupeWindow): boolean {
    switch (window.mode) {
      case 'throttle':
        return this.now() < window.until;
      case 'simple':
        // Pending while any of its deliveries has not finished (one no longer kept has).
        return window.deliveryIds.some((id) => {
          const status = this.statusOf(id);
          return status !== undefined && status !== 'completed' && status !== 'failed';
        });
      case 'debounce':
        // Open while every delivery still waits for the window's end: once one runs, the message is out.
        return window.deliveryIds.every((id) => this.statusOf(id) === 'delayed');
    }
  }
}
