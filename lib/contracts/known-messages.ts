import type { ListenerBinding, ListenerRegistry } from '../listeners/listener.registry.js';
import { declaredMessageClasses } from '../message/declared-message-classes.js';
import type { MessageTypesRegistry } from '../message/message-types.registry.js';
import { FAULT_TYPE, MessagioFault } from '../message/messagio-fault.js';
import { messageVersionOf, wireNameOf } from '../message/messagio-type.decorator.js';
import { Messagio, type MessagioClass } from '../message/messagio.js';
import { upcastChainOf } from '../message/upcast-chain.js';

/** A message type an app knows at bootstrap, as its contracts describe it. */
export interface KnownMessage {
  /** Wire name. */
  name: string;
  cls: MessagioClass;
  version: number;
  /** The versions an upcaster starts from (1 … version − 1). */
  upcastsFrom: number[];
  /** Its listeners in this app, in delivery order. */
  bindings: readonly ListenerBinding[];
}

/**
 * Every message type the app knows, by wire name: the registered ones (listened
 * to, or listed in the `messages` option), the classes declared with
 * `@MessagioType` in this process whose name no registered class holds (the
 * first declared wins), and `MessagioFault`, which the library fires.
 * Declared classes get their upcasters checked here as registered ones are at
 * bootstrap (a missing step throws).
 */
export function knownMessages(types: MessageTypesRegistry, listeners: ListenerRegistry): KnownMessage[] {
  const known = new Map<string, KnownMessage>();
  for (const { name, cls, version, upcasters } of types.entries()) {
    known.set(name, { name, cls, version, upcastsFrom: upcasters.map((_, i) => i + 1), bindings: listeners.bindingsFor(name) });
  }
  const declared = declaredMessageClasses().filter((cls) => (cls as { prototype: unknown }).prototype instanceof Messagio) as MessagioClass[];
  for (const cls of [...declared, MessagioFault as MessagioClass]) {
    const name = wireNameOf(cls);
    if (known.has(name)) continue;
    const version = messageVersionOf(cls);
    upcastChainOf(cls, name, version);
    known.set(name, { name, cls, version, upcastsFrom: Array.from({ length: version - 1 }, (_, i) => i + 1), bindings: listeners.bindingsFor(name) });
  }
  return [...known.values()].sort((a, b) => (a.name === FAULT_TYPE ? 1 : b.name === FAULT_TYPE ? -1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
