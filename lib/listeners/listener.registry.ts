import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { MessagioDuplicateListenerError } from '../errors/messagio-duplicate-listener.error.js';
import type { InboxPort } from '../contract/inbox-port.js';
import type { ResolvedListenerOptions } from './listener-options.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { MessageTypesRegistry } from '../message/message-types.registry.js';
import type { Messagio, MessagioClass } from '../message/messagio.js';

/** Calls the listener's code; resolved once, at registration. */
export type ListenerHandler = (message: Messagio, context: MessagioContext) => unknown;

/** Puts a listener's call inside its delivery scope (a fresh CLS context, the restored headers): see `delivery-scope.ts`. */
export type DeliveryScope = (call: ListenerHandler) => ListenerHandler;

/**
 * A listener: one handler, subscribed to one or more types. Registered with
 * `handler` = its own code with its enhancers; the registry then keeps that as
 * `call` and sets `handler` to what the dispatcher calls: `call` inside the
 * app's delivery scope (CLS context, restored headers), composed once.
 */
export interface RegisteredListener {
  readonly id: string;
  /** Where it came from, for error messages: `Class.method` or `MessageCenter`. */
  readonly source: string;
  readonly handler: ListenerHandler;
}

interface ListenerEntry extends RegisteredListener {
  handler: ListenerHandler;
  /** The listener's own code with its enhancers: what a test harness stub replaces. */
  call: ListenerHandler;
  /** `inbox: true`: `call` runs through the inbox, inside the delivery scope. */
  readonly inbox: boolean;
}

/** One listener subscribed to one type, with the options of that subscription. */
export interface ListenerBinding {
  readonly listener: RegisteredListener;
  readonly type: string;
  readonly options: ResolvedListenerOptions;
  /** Subscription order: breaks priority ties. */
  readonly seq: number;
  /** The retry backoff every delivery of this binding carries (one shared object). */
  readonly backoff: Readonly<{ type: ResolvedListenerOptions['backoff']; delay: number }>;
}

/** A subscription to register: a class and its resolved options. */
export interface Subscription {
  cls: MessagioClass;
  options: ResolvedListenerOptions;
}

/**
 * Listener id → handler, and type → its listeners in delivery order (priority
 * descending, then subscription order). The order is kept sorted on change, so
 * firing reads it without sorting.
 */
export class ListenerRegistry {
  private readonly listeners = new Map<string, ListenerEntry>();
  private scope: DeliveryScope | undefined;
  private inboxPort: InboxPort | undefined;
  private readonly bindingsByListener = new Map<string, Map<string, ListenerBinding>>();
  private readonly bindingsByType = new Map<string, ListenerBinding[]>();
  /** Per queue: how many subscriptions use each priority. */
  private readonly prioritiesByQueue = new Map<string | undefined, Map<number, number>>();
  private seq = 0;

  constructor(private readonly types: MessageTypesRegistry) {}

  add(registered: RegisteredListener, subscriptions: Subscription[]): void {
    const taken = this.listeners.get(registered.id);
    if (taken) throw new MessagioDuplicateListenerError(registered.id, [taken.source, registered.source]);
    const call = registered.handler;
    const inbox = inboxOf(registered.id, subscriptions);
    if (inbox && this.inboxPort === undefined) {
      throw new MessagioConfigurationError(
        `Listener "${registered.id}" has inbox: true, but this app has no inbox: import MessagioOutboxModule.forRoot({ pool }) ` +
          '(nestjs-messagio/outbox, PostgreSQL) or, in tests, MessagioOutboxModule.forRoot({ store: new MemoryOutboxStore() }); or drop the option.',
      );
    }
    const listener: ListenerEntry = { id: registered.id, source: registered.source, call, inbox, handler: this.scoped({ id: registered.id, call, inbox }) };
    const bindings = new Map<string, ListenerBinding>();
    for (const { cls, options } of subscriptions) {
      const type = this.types.register(cls);
      if (bindings.has(type)) {
        throw new MessagioConfigurationError(`Listener "${listener.id}" subscribes to ${type} twice.`);
      }
      const backoff = Object.freeze({ type: options.backoff, delay: options.retryDelay });
      bindings.set(type, { listener, type, options, seq: this.seq++, backoff });
    }
    this.listeners.set(listener.id, listener);
    this.bindingsByListener.set(listener.id, bindings);
    for (const binding of bindings.values()) {
      // Copy on write (a fire may be iterating the old list); the newest binding
      // goes after every one of equal or higher priority: no re-sort per insert.
      const list = [...(this.bindingsByType.get(binding.type) ?? [])];
      list.splice(insertionPoint(list, binding.options.priority), 0, binding);
      this.bindingsByType.set(binding.type, list);
      this.countPriority(binding, 1);
    }
  }

  /** Removes a listener from one type, or from all; true when something was removed. */
  remove(listenerId: string, type?: string): boolean {
    const bindings = this.bindingsByListener.get(listenerId);
    if (!bindings) return false;
    const types = type === undefined ? [...bindings.keys()] : bindings.has(type) ? [type] : [];
    for (const t of types) {
      this.countPriority(bindings.get(t)!, -1);
      bindings.delete(t);
      const rest = (this.bindingsByType.get(t) ?? []).filter((b) => b.listener.id !== listenerId);
      if (rest.length > 0) this.bindingsByType.set(t, rest);
      else this.bindingsByType.delete(t);
    }
    if (bindings.size === 0) {
      this.bindingsByListener.delete(listenerId);
      this.listeners.delete(listenerId);
    }
    return types.length > 0;
  }

  /**
   * True when listeners of different priorities send deliveries to `queue`:
   * only then does the order among its deliveries depend on priority. When all
   * share one priority, firing order (FIFO) is already priority order.
   */
  mixedPriorities(queue: string | undefined): boolean {
    return (this.prioritiesByQueue.get(queue)?.size ?? 0) > 1;
  }

  /** The listeners of a type, in delivery order. */
  bindingsFor(type: string): readonly ListenerBinding[] {
    return this.bindingsByType.get(type) ?? EMPTY;
  }

  /** The subscriptions of a listener, in subscription order (empty for an unknown id). */
  bindingsOf(listenerId: string): ListenerBinding[] {
    return [...(this.bindingsByListener.get(listenerId)?.values() ?? [])];
  }

  /** Every type with at least one listener. */
  typeNames(): string[] {
    return [...this.bindingsByType.keys()];
  }

  binding(listenerId: string, type: string): ListenerBinding | undefined {
    return this.bindingsByListener.get(listenerId)?.get(type);
  }

  has(listenerId: string): boolean {
    return this.listeners.has(listenerId);
  }

  /**
   * Sets the app's delivery scope (at bootstrap, once nestjs-cls is found):
   * every listener, already registered or not, is called inside it.
   */
  useScope(scope: DeliveryScope | undefined): void {
    this.scope = scope;
    for (const listener of this.listeners.values()) listener.handler = this.scoped(listener);
  }

  /** Sets the app's inbox (once, before listeners register): what `inbox: true` listeners run through. */
  useInbox(inbox: InboxPort | undefined): void {
    this.inboxPort = inbox;
  }

  /**
   * Replaces a listener's code with `wrap(code)` (test harnesses: stubs,
   * injected failures): `code` is the listener with its enhancers, and the
   * replacement still runs inside the delivery scope (CLS context, restored
   * headers); its subscriptions and options are unchanged. Returns a function
   * that puts the previous code back.
   */
  override(listenerId: string, wrap: (handler: ListenerHandler) => ListenerHandler): () => void {
    const listener = this.listeners.get(listenerId);
    if (!listener) {
      throw new MessagioConfigurationError(`No listener "${listenerId}" is registered (known: ${this.ids().join(', ') || 'none'}).`);
    }
    const previous = listener.call;
    const replaced = wrap(previous);
    this.setCall(listener, replaced); // bindings share the listener object: every subscription sees it
    return () => {
      if (listener.call === replaced) this.setCall(listener, previous);
    };
  }

  private setCall(listener: ListenerEntry, call: ListenerHandler): void {
    listener.call = call;
    listener.handler = this.scoped(listener);
  }

  /**
   * What the dispatcher calls: the listener's code, through the inbox when it
   * has one (inside the scope: the inbox's transaction then lives in the
   * attempt's CLS context, where `@nestjs-cls/transactional` finds it), inside the delivery scope.
   */
  private scoped(listener: Pick<ListenerEntry, 'id' | 'call' | 'inbox'>): ListenerHandler {
    const call = listener.inbox ? inboxed(this.inboxPort!, listener.id, listener.call) : listener.call;
    return this.scope === undefined ? call : this.scope(call);
  }

  ids(): string[] {
    return [...this.listeners.keys()];
  }

  private countPriority(binding: ListenerBinding, delta: 1 | -1): void {
    const { queue, priority } = binding.options;
    let counts = this.prioritiesByQueue.get(queue);
    if (!counts) this.prioritiesByQueue.set(queue, (counts = new Map()));
    const count = (counts.get(priority) ?? 0) + delta;
    if (count > 0) counts.set(priority, count);
    else counts.delete(priority);
  }
}

const EMPTY: readonly ListenerBinding[] = Object.freeze([]);

/** `inbox` is per listener (one handler): its subscriptions must agree. */
function inboxOf(id: string, subscriptions: readonly Subscription[]): boolean {
  const inbox = subscriptions[0]?.options.inbox === true;
  if (subscriptions.some((s) => (s.options.inbox === true) !== inbox)) {
    throw new MessagioConfigurationError(`Listener "${id}": inbox must be the same for every message type it subscribes to (it runs one handler).`);
  }
  return inbox;
}

/** The listener's code run once per delivery id, in the inbox's transaction, handed to it as `context.transaction`. */
function inboxed(inbox: InboxPort, listenerId: string, call: ListenerHandler): ListenerHandler {
  return (message, context) =>
    inbox.run(context.deliveryId, listenerId, (transaction) => {
      context.transaction = transaction;
      return call(message, context);
    });
}

/** First index whose priority is below `priority` (the list is in descending priority). */
function insertionPoint(list: readonly ListenerBinding[], priority: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.options.priority >= priority) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
