import { MessagioTypeConflictError } from '../errors/messagio-type-conflict.error.js';
import { messageVersionOf, wireNameOf } from './messagio-type.decorator.js';
import type { MessagioUpcaster } from './messagio-upcast.decorator.js';
import type { MessagioClass } from './messagio.js';
import { upcastChainOf } from './upcast-chain.js';

/** A registered message type: its wire name, class, schema version and upcasters, settled at registration. */
export interface MessageTypeEntry {
  readonly name: string;
  readonly cls: MessagioClass;
  /** The class's `@MessagioType` version (1 without one): what it fires, and what its payloads are upcast to. */
  readonly version: number;
  /** Element `i` turns a payload of version i+1 into i+2 (checked complete at registration). */
  readonly upcasters: readonly MessagioUpcaster[];
}

/** The wire name and version a class is fired under. */
export type MessageTypeHead = Pick<MessageTypeEntry, 'name' | 'version'>;

/**
 * Wire name ↔ class: the allow-list of what a worker may rebuild. Only a class
 * registered here is ever instantiated from a payload.
 */
export class MessageTypesRegistry {
  private readonly byName = new Map<string, MessageTypeEntry>();
  private readonly byClass = new Map<MessagioClass, MessageTypeEntry>();

  /**
   * Registers a class (idempotent); a second class with the same wire name
   * throws, and so does an incomplete chain of upcasters (bootstrap errors).
   */
  register(cls: MessagioClass): string {
    const name = this.nameOf(cls); // throws for a name another class holds
    if (!this.byClass.has(cls)) {
      const version = messageVersionOf(cls);
      const entry: MessageTypeEntry = Object.freeze({ name, cls, version, upcasters: upcastChainOf(cls, name, version) });
      this.byName.set(name, entry);
      this.byClass.set(cls, entry);
    }
    return name;
  }

  /**
   * The wire name to fire `cls` under. An unregistered class gets its derived
   * name, unless that name belongs to another registered class.
   */
  nameOf(cls: MessagioClass): string {
    const known = this.byClass.get(cls);
    if (known !== undefined) return known.name;
    const name = wireNameOf(cls);
    const other = this.byName.get(name);
    if (other && other.cls !== cls) throw new MessagioTypeConflictError(name, [other.cls.name, cls.name]);
    return name;
  }

  /** The wire name and version to fire `cls` under: its entry when registered (every listened class is), else read from its decorator. */
  headOf(cls: MessagioClass): MessageTypeHead {
    return this.byClass.get(cls) ?? { name: this.nameOf(cls), version: messageVersionOf(cls) };
  }

  classFor(name: string): MessagioClass | undefined {
    return this.byName.get(name)?.cls;
  }

  /** The registered type of a wire name: what a worker rebuilds a delivery of that name as. */
  entryFor(name: string): MessageTypeEntry | undefined {
    return this.byName.get(name);
  }

  /** Every registered type, in registration order. */
  entries(): MessageTypeEntry[] {
    return [...this.byName.values()];
  }
}
