import { MessagioBatchDispatchError } from '../errors/messagio-batch-dispatch.error.js';
import { MessagioClosedError } from '../errors/messagio-closed.error.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { MessagioDispatchError } from '../errors/messagio-dispatch.error.js';
import { MessagioInvalidMessageError } from '../errors/messagio-invalid-message.error.js';
import { MessagioNotInitializedError } from '../errors/messagio-not-initialized.error.js';
import type { DeliveryState } from '../message/delivery-state.js';
import type { FireManyOptions, FireOptions, MessagioDedupeOptions } from '../message/fire-options.js';
import { MessagioReceipt, type DeliveryInspector } from '../message/messagio-receipt.js';
import type { Messagio } from '../message/messagio.js';
import type { MessagioTransport } from '../transports/messagio-transport.interface.js';
import type { SyncRun, SyncTransport } from '../transports/sync.transport.js';
import type { DeliveryFactory, PreparedFire } from './delivery.factory.js';
import { checkFireOptions, checkMessageIds } from './fire-checks.js';
import { dedupeSpecOf } from './fire-dedupe.js';
import type { MessagioObservers } from './messagio-observer.js';
import type { OutboxPort } from './outbox-port.js';

/**
 * Fires messages: the factory makes one delivery per listener, the transport
 * stores them (or, with `sync`, the sync transport runs them here, now).
 * @publicApi
 */
export class MessagioPublisher {
  private readonly inspect: DeliveryInspector = (ids) => this.inspectDeliveries(ids);
  /** A transactional fire's receipt: the outbox first, then the transport (a row relayed in between is found there). */
  private readonly inspectOutbox: DeliveryInspector = (ids) => this.inspectThroughOutbox(ids);
  /**
   * `new` until the app is initialised (listeners discovered): a fire then
   * would reach none of them. `closed` once the app closed: nothing is fired
   * any more, not even in process (sync). Fires only in `open`.
   */
  private state: 'new' | 'open' | 'closed' = 'new';

  constructor(
    private readonly factory: DeliveryFactory,
    private readonly observers: MessagioObservers,
    private readonly transport: MessagioTransport,
    private readonly sync: SyncTransport,
    private readonly outbox?: OutboxPort,
  ) {}

  /**
   * Fires one message. Resolves once its deliveries are stored by the
   * transport (or, with `sync: true`, once every listener has run).
   */
  async fire(message: Messagio, options: FireOptions = {}): Promise<MessagioReceipt> {
    if (this.state !== 'open') throw this.notOpen('publisher.fire()');
    checkFireOptions(options);
    const transaction = this.transactionOf(options);
    if (transaction !== undefined) {
      const prepared = await this.factory.prepare(message, options);
      if (prepared.deliveries.length > 0) await this.outbox!.write(transaction, [prepared]);
      return this.stored(prepared, this.inspectOutbox, undefined, 'outbox');
    }
    if (options.sync) {
      // In process, no await when the message was settled synchronously (the usual case).
      const preparing = this.factory.prepareNow(message, options);
      const [run, receipt] = this.storedSync(preparing instanceof Promise ? await preparing : preparing);
      await this.sync.run(run);
      return receipt;
    }
    // Awaited even when settled synchronously: measured (scenario 12), a store
    // started in the same tick as the fire costs 64 concurrent producers more
    // Node and Redis CPU per message than one started a microtask later.
    const prepared = await this.factory.prepare(message, options);
    if (options.dedupe !== undefined) return this.storedDeduplicated(prepared, options.dedupe);
    if (prepared.deliveries.length > 0) await this.transport.enqueue(prepared.deliveries);
    return this.stored(prepared);
  }

  /**
   * Fires several messages; their deliveries are stored in one round trip.
   * Nothing is stored if any message is invalid. `messageId` cannot be shared:
   * `messageIds` gives each message its own idempotency key, so that a
   * rejected call can be made again without storing any delivery twice.
   * With `sync`, every message's listeners run, then it rejects with
   * `MessagioBatchDispatchError` if any failed.
   */
  async fireMany(messages: Messagio[], options: FireManyOptions = {}): Promise<MessagioReceipt[]> {
    if (this.state !== 'open') throw this.notOpen('publisher.fireMany()');
    if (!Array.isArray(messages)) throw new MessagioInvalidMessageError(messages);
    checkFireOptions(options);
    if ((options as FireOptions).messageId !== undefined) {
      throw new MessagioConfigurationError('fireMany() cannot share one messageId between messages: give one per message with { messageIds: [...] }.');
    }
    if ((options as FireOptions).dedupe !== undefined) {
      throw new MessagioConfigurationError('fireMany() does not deduplicate: fire each message with fire(message, { dedupe }).');
    }
    const ids = options.messageIds;
    if (ids !== undefined) checkMessageIds(ids, messages.length);
    const transaction = this.transactionOf(options);
    const prepared = await Promise.all(messages.map((m, i) => this.factory.prepare(m, ids ? { ...options, messageId: ids[i] } : options)));
    if (transaction !== undefined) {
      // One statement for all of them, in fire order; none is written if any is invalid (prepared above).
      const written = prepared.filter((p) => p.deliveries.length > 0);
      if (written.length > 0) await this.outbox!.write(transaction, written);
      return prepared.map((p) => this.stored(p, this.inspectOutbox, undefined, 'outbox'));
    }
    if (options.sync) {
      // Every message runs; the failures are reported together at the end.
      const receipts: MessagioReceipt[] = [];
      const failures: MessagioDispatchError[] = [];
      for (const p of prepared) {
        const [run, receipt] = this.storedSync(p);
        receipts.push(receipt);
        await this.sync.run(run, failures);
      }
      if (failures.length > 0) throw new MessagioBatchDispatchError(failures, receipts);
      return receipts;
    }
    const deliveries = prepared.flatMap((p) => p.deliveries);
    if (deliveries.length > 0) await this.transport.enqueue(deliveries);
    return prepared.map((p) => this.stored(p));
  }

  /**
   * Called by the module's lifecycle once `app.close()` has closed the
   * transport (the listeners in flight have finished): from then on every
   * fire rejects with `MessagioClosedError`. Not for application code.
   */
  markClosed(): void {
    this.state = 'closed';
  }

  /**
   * Called by the module's lifecycle at `app.init()`, once listener discovery
   * has run: from then on fires reach the listeners. Not for application code.
   */
  markInitialised(): void {
    if (this.state === 'new') this.state = 'open';
  }

  /**
   * Fires a message caused by `causationId`, whatever this async context
   * handles: how `MessagioFaultReporter` fires a fault for a failed delivery.
   * @internal
   */
  async fireCausedBy(message: Messagio, options: FireOptions, causationId: string): Promise<MessagioReceipt> {
    const prepared = await this.factory.prepare(message, options, causationId);
    if (prepared.deliveries.length > 0) await this.transport.enqueue(prepared.deliveries);
    return this.stored(prepared);
  }

  /**
   * A `dedupe` fire: the transport stores its deliveries, or merges it into
   * the message holding its key, in one decision for every listener.
   */
  private async storedDeduplicated(prepared: PreparedFire, dedupe: MessagioDedupeOptions): Promise<MessagioReceipt> {
    if (!this.transport.enqueueDeduplicated) {
      throw new MessagioConfigurationError(`The ${this.transport.name} transport cannot deduplicate (no enqueueDeduplicated()): fire without dedupe.`);
    }
    if (prepared.deliveries.length === 0) return this.stored(prepared);
    const decision = await this.transport.enqueueDeduplicated(prepared.deliveries, dedupeSpecOf(prepared.type, dedupe));
    return this.stored(prepared, this.inspect, decision.deduplicated ? decision.mergedInto : undefined);
  }

  /**
   * The receipt of a fire; `mergedInto`: the message a deduplicated fire was
   * merged into (it stored no envelope); `pending`: written to the outbox.
   */
  private stored(prepared: PreparedFire, inspect = this.inspect, mergedInto?: string, pending?: 'outbox'): MessagioReceipt {
    const receipt = new MessagioReceipt(
      prepared.messageId,
      prepared.traceId,
      prepared.deliveries.map((d) => d.envelope.listener),
      inspect,
      mergedInto,
      pending,
    );
    if (this.observers.active) {
      this.observers.emit('fired', {
        message: prepared.message,
        type: prepared.type,
        receipt,
        envelopes: mergedInto === undefined ? prepared.deliveries.map((d) => d.envelope) : [],
        sync: inspect !== this.inspect && inspect !== this.inspectOutbox,
        headers: prepared.headers,
        causedBy: prepared.cause,
      });
    }
    return receipt;
  }

  /**
   * The sync path's first half: the sync transport takes the deliveries (a
   * snapshot, before observers see the message), and the receipt reads their
   * run. The caller then awaits `sync.run()` itself: no async frame of its
   * own per message on this path.
   */
  private storedSync(prepared: PreparedFire): [SyncRun, MessagioReceipt] {
    const run = this.sync.store(prepared.deliveries, prepared.payloadJson);
    return [run, this.stored(prepared, (ids) => this.sync.inspect(run, ids))];
  }

  /**
   * The transaction this fire writes in, if any: given (`transaction`), or
   * ambient through the outbox. Without an outbox, `transaction` is an error:
   * firing directly would be the dual write the option exists to avoid.
   */
  private transactionOf(options: FireOptions): unknown {
    if (this.outbox === undefined) {
      if (options.transaction !== undefined && options.transaction !== null) {
        throw new MessagioConfigurationError(
          'fire() was given a transaction, but no transactional outbox is configured: import MessagioOutboxModule.forRoot() from nestjs-messagio/outbox, or fire without { transaction }.',
        );
      }
      return undefined;
    }
    const transaction = this.outbox.transactionOf(options);
    if (transaction !== undefined && options.sync) {
      throw new MessagioConfigurationError(
        'fire() cannot be both { sync: true } and transactional: sync listeners would run before the transaction commits. Pass { transaction: null } to run them now, outside it.',
      );
    }
    if (transaction !== undefined && options.dedupe !== undefined) {
      throw new MessagioConfigurationError(
        'fire() cannot be both { dedupe } and transactional: the key is decided when the transport stores the message, which the outbox does only after commit. Pass { transaction: null } to deduplicate now, outside the transaction.',
      );
    }
    return transaction;
  }

  private async inspectThroughOutbox(ids: string[]): Promise<DeliveryState[]> {
    const inOutbox = await this.outbox!.inspect(ids);
    if (inOutbox.length === ids.length) return inOutbox;
    const found = new Map(inOutbox.map((s) => [s.id, s]));
    const rest = await this.inspectDeliveries(ids.filter((id) => !found.has(id)));
    const byId = new Map(rest.map((s) => [s.id, s]));
    return ids.map((id) => found.get(id) ?? byId.get(id)!);
  }

  private notOpen(call: string): Error {
    return this.state === 'closed' ? new MessagioClosedError(this.transport.name) : new MessagioNotInitializedError(call);
  }

  private async inspectDeliveries(ids: string[]): Promise<DeliveryState[]> {
    if (!this.transport.inspect) {
      throw new MessagioConfigurationError(`The ${this.transport.name} transport cannot report delivery states (no inspect()).`);
    }
    return this.transport.inspect(ids);
  }
}
