import { Logger } from '@nestjs/common';
import type { InboxPort } from '../contract/inbox-port.js';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import { wireNameOf } from '../message/messagio-type.decorator.js';
import { Messagio, type MessagioClass } from '../message/messagio.js';
import { findUntypedDates } from '../message/untyped-dates.js';
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
  /** Readies a subscribed message class for its first message (the codec compiles its validation): once per class, at bootstrap. */
  prepareClass?: (cls: MessagioClass) => void;
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
  private readonly logger = new Logger('Messagio');
  /** Message classes whose properties were checked: once each, however many listeners subscribe. */
  private readonly checked = new WeakSet<MessagioClass>();

  constructor(
    private readonly listeners: ListenerRegistry,
    readonly settings: ListenerRegistrarSettings,
    inbox?: InboxPort,
  ) {
    // Before any listener registers: an `inbox: true` listener without one fails its registration.
    listeners.useInbox(inbox);
  }

  /** Called once at bootstrap: every listener, registered before or after, runs inside `scope`. */
  useScope(scope: DeliveryScope | undefined): void {
    this.listeners.useScope(scope);
  }

  /** `where` names the listener in configuration errors, e.g. `Listener "audit"`. */
  register(listener: RegisteredListener, subscriptions: readonly ListenerSubscriptions[], where: string): void {
    const { defaults, routing } = this.settings;
    const resolved: Subscription[] = subscriptions.flatMap(({ types, options }) => {
      for (const cls of types) this.checkMessageClass(cls, listener, where);
      const own = resolveListenerOptions(listener.id, options, defaults);
      return types.map((cls) => ({ cls, options: { ...own, queue: queueFor(wireNameOf(cls), options.queue, routing, where) } }));
    });
    this.listeners.add(listener, resolved);
  }

  /**
   * A subscription to a class that is not a message fails bootstrap (only a
   * cast gets one past the types; its fires would be refused). Checked here,
   * not in the decorator: `Messagio` may not be defined yet when it runs.
   * Then, once per class, a warning for each Date property no delivery could rebuild.
   */
  private checkMessageClass(cls: MessagioClass, listener: RegisteredListener, where: string): void {
    if (!(cls.prototype instanceof Messagio)) {
      // The method behind an explicit id (`Listener "audit" (Audit.onOrder)`); a default id is the method.
      const source = listener.source !== where && listener.source !== listener.id ? ` (${listener.source})` : '';
      throw new MessagioConfigurationError(
        `${where}${source} subscribes to ${cls.name || 'an anonymous class'}, which does not extend Messagio: ` +
          `it can never be fired. Declare it as \`class ${cls.name || 'MyMessage'} extends Messagio\`.`,
      );
    }
    if (this.checked.has(cls)) return;
    this.checked.add(cls);
    this.settings.prepareClass?.(cls);
    for (const date of findUntypedDates(cls)) {
      this.logger.warn(
        `${cls.name}.${date.path} is declared as a Date without @Type(() => Date): a message travels as JSON, so its ` +
          'listeners would get an ISO string, and @IsDate() would fail every delivery on the worker ("must be a Date instance"). ' +
          `Add @Type(() => Date) (class-transformer) to ${date.owner}.${date.property}.`,
      );
    }
  }
}
