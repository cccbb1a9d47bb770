import { wireNameOf } from '../message/messagio-type.decorator.js';
import type { MessagioClass } from '../message/messagio.js';
import type { DeliveryScopeSettings } from './delivery-scope.js';
import { resolveListenerOptions, type MessagioListenerDefaults, type OnMessagioOptions } from './listener-options.js';
import { ListenerRegistry, type DeliveryScope, type RegisteredListener, type Subscription } from './listener.registry.js';
import { queueFor, type QueueRouting } from './queue-routing.js';

/** What the registrar needs of the module options: listener defaults and routing, resolved at bootstrap. */
export interface ListenerRegistrarSettings {
  defaults: MessagioListenerDefaults;
  routing: QueueRouting;
  /** What each attempt runs inside: nestjs-cls (`cls`), `propagate.restore`. */
  scope: DeliveryScopeSettings;
}

/** Message types a listener subscribes to, with the options it gives them. */
export interface ListenerSubscriptions {
  types: readonly MessagioClass[];
  options: OnMessagioOptions;
}

/**
 * Registers a listener, whoever found it (the explorer for `@OnMessagio`
 * methods, `MessageCenter.subscribe` for functions): resolves each
 * subscription's options against the module's defaults, routes it to its
 * queue, and adds it to the registry. Every check happens here, once.
 */
export class ListenerRegistrar {
  constructor(
    private readonly listeners: ListenerRegistry,
    readonly settings: ListenerRegistrarSettings,
  ) {}

  /** Called once at bootstrap: every listener, registered before or after, runs inside `scope`. */
  useScope(scope: DeliveryScope | undefined): void {
    this.listeners.useScope(scope);
  }

  /** `where` names the listener in configuration errors, e.g. `Listener "audit"`. */
  register(listener: RegisteredListener, subscriptions: readonly ListenerSubscriptions[], where: string): void {
    const { defaults, routing } = this.settings;
    const resolved: Subscription[] = subscriptions.flatMap(({ types, options }) => {
      const own = resolveListenerOptions(listener.id, options, defaults);
      return types.map((cls) => ({ cls, options: { ...own, queue: queueFor(wireNameOf(cls), options.queue, routing, where) } }));
    });
    this.listeners.add(listener, resolved);
  }
}
