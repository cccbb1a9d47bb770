import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { Delivery } from '../contract/delivery.types.js';
import { MessagioClosedError } from '../errors/messagio-closed.error.js';
import { MessagioTimeoutError } from '../errors/messagio-timeout.error.js';
import { MessagioUnavailableError } from '../errors/messagio-unavailable.error.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import { deliveriesOf } from './outbox-row.js';
import type { ClaimedOutboxRow, OutboxStore } from './outbox-store.js';

/** The relay's settings, resolved (see `OutboxRelayOptions`). */
export interface OutboxRelaySettings {
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  /** Wait after the transport was unavailable, doubled each time up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  retentionMs: number;
  /** Names this relay's leases; unique per process by default. */
  owner?: string;
}

/**
 * Moves committed outbox rows into the real transport. Claims a batch under a
 * lease (`FOR UPDATE SKIP LOCKED`: relays never publish one row at once
 * unless a lease ran out), publishes all its deliveries in one `enqueue` (one
 * `addBulk`), in row order, then deletes the rows. Publishing again after a
 * crash between the two stores nothing twice: the deliveries keep their
 * stable ids. While the transport is unavailable rows are handed back and the
 * relay backs off; a row the transport refuses on its own is tried alone and
 * dead-lettered after `maxAttempts`, never holding back the rows behind it.
 */
export class OutboxRelay {
  readonly owner: string;
  private readonly logger = new Logger('MessagioOutbox');
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private unlisten: (() => Promise<void>) | undefined;
  private failures = 0;
  private lastPurge = 0;
  private listenLost = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: MessagioTransport,
    private readonly settings: OutboxRelaySettings,
  ) {
    this.owner = settings.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** Starts relaying: at once, at each commit (LISTEN/NOTIFY), and every `pollMs` whatever happens. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  /** Stops taking rows and waits for the batch in flight. Rows it held are released. */
  async close(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch(() => undefined);
  }

  /**
   * One batch: claims, publishes, clears. Resolves to the rows relayed (dead
   * ones not counted). Throws the transport's error when it is unavailable
   * (the rows are handed back first). For tests and for `drain()`.
   */
  async runOnce(): Promise<number> {
    return (await this.batch()).relayed;
  }

  private async batch(): Promise<{ claimed: number; relayed: number }> {
    const rows = await this.store.claim(this.owner, this.settings.batchSize, this.settings.leaseMs);
    return { claimed: rows.length, relayed: rows.length === 0 ? 0 : await this.publish(rows) };
  }

  private async publish(rows: ClaimedOutboxRow[]): Promise<number> {
    const sound: Array<{ row: ClaimedOutboxRow; deliveries: Delivery[] }> = [];
    for (const row of rows) {
      const deliveries = deliveriesOf(row);
      if (typeof deliveries === 'string') await this.deadLetter(row, `Malformed outbox row: ${deliveries}.`);
      else sound.push({ row, deliveries });
    }
    if (sound.length === 0) return 0;
    try {
      await this.transport.enqueue(sound.flatMap((s) => s.deliveries));
    } catch (error) {
      if (isTransient(error)) {
        await this.store.release(this.owner, sound.map((s) => s.row.id), 0);
        throw error;
      }
      // The batch was refused for one of its rows, perhaps: each alone, so that the others go on.
      return this.oneByOne(sound);
    }
    await this.store.complete(this.owner, sound.map((s) => s.row.id));
    return sound.length;
  }

  /** Relays until no committed row is left (rows leased elsewhere wait for their lease). Resolves to the rows relayed. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  private async oneByOne(sound: Array<{ row: ClaimedOutboxRow; deliveries: Delivery[] }>): Promise<number> {
    let relayed = 0;
    for (let i = 0; i < sound.length; i++) {
      const { row, deliveries } = sound[i]!;
      try {
        await this.transport.enqueue(deliveries);
        await this.store.complete(this.owner, [row.id]);
        relayed++;
      } catch (error) {
        if (isTransient(error)) {
          await this.store.release(this.owner, sound.slice(i).map((s) => s.row.id), 0);
          throw error;
        }
        const reason = describe(error);
        if (row.attempts + 1 >= this.settings.maxAttempts) await this.deadLetter(row, `Refused by the ${this.transport.name} transport ${row.attempts + 1} times: ${reason}`);
        else await this.store.release(this.owner, [row.id], this.backoff(row.attempts + 1), reason);
      }
    }
    return relayed;
  }

  private async deadLetter(row: ClaimedOutboxRow, reason: string): Promise<void> {
    this.logger.error(`Outbox row ${row.id} (message ${JSON.stringify(row.messageId)}, ${JSON.stringify(row.type)}) dead-lettered: ${reason}`);
    await this.store.deadLetter(this.owner, row.id, reason);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.listenLost) await this.relisten();
      let claimed: number;
      try {
        ({ claimed } = await this.batch());
        this.failures = 0;
        await this.purge();
      } catch (error) {
        this.failures++;
        if (this.failures === 1 || this.failures % 10 === 0) {
          this.logger.warn(`Outbox relay could not publish (${describe(error)}); retrying in ${this.backoff(this.failures)} ms.`);
        }
        await this.sleep(this.backoff(this.failures));
        continue;
      }
      // A full batch: more may wait. Otherwise until a commit wakes us, or the poll.
      if (claimed < this.settings.batchSize) await this.sleep(this.settings.pollMs);
    }
  }

  private async purge(): Promise<void> {
    const { retentionMs } = this.settings;
    if (retentionMs <= 0 || !this.store.purgeRelayed || Date.now() - this.lastPurge < Math.min(retentionMs, 60_000)) return;
    this.lastPurge = Date.now();
    await this.store.purgeRelayed(retentionMs);
  }

  private async listen(): Promise<void> {
    if (!this.store.listen) return;
    try {
      this.unlisten = await this.store.listen(
        () => this.wake(),
        (error) => {
          // Listen again from the loop (woken now); until then, and if that fails, the poll goes on.
          this.logger.warn(`Outbox relay lost its LISTEN connection (${describe(error)}): listening again.`);
          this.listenLost = true;
          this.wake();
        },
      );
    } catch (error) {
      this.listenLost = true;
      this.logger.warn(`Outbox relay cannot LISTEN (${describe(error)}): polling every ${this.settings.pollMs} ms until it can.`);
    }
  }

  /** After a lost LISTEN connection: the old one released, a new one opened (each loop turn until it works). */
  private async relisten(): Promise<void> {
    this.listenLost = false;
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.().catch(() => undefined);
    await this.listen();
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = finish;
    });
  }

  private backoff(failures: number): number {
    return Math.min(this.settings.backoffMs * 2 ** Math.max(0, failures - 1), this.settings.maxBackoffMs);
  }
}

/** The transport cannot store anything right now: every row waits, none is a culprit. */
function isTransient(error: unknown): boolean {
  return error instanceof MessagioUnavailableError || error instanceof MessagioClosedError || error instanceof MessagioTimeoutError;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
