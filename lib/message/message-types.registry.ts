import { MessagioTypeConflictError } from '../errors/messagio-type-conflict.error.js';
import { wireNameOf } from './messagio-type.decorator.js';
import type { MessagioClass } from './messagio.js';

/**
 * Wire name ↔ class: the allow-list of what a worker may rebuild. Only a class
 * registered here is ever instantiated from a payload.
 */
export class MessageTypesRegistry {
  private readonly byName = new Map<string, MessagioClass>();
  private readonly byClass = new Map<MessagioClass, string>();

  /** Registers a class (idempotent); a second class with the same wire name throws. */
  register(cls: MessagioClass): string {
    const name = this.nameOf(cls); // throws for a name another class holds
    if (!this.byClass.has(cls)) {
      this.byName.set(name, cls);
      this.byClass.set(cls, name);
    }
    return name;
  }

  /**
   * The wire name to fire `cls` under. An unregistered class gets its derived
   * name, unless that name belongs to another registered class.
   */
  nameOf(cls: MessagioClass): string {
    const known = this.byClass.get(cls);
    if (known !== undefined) return known;
    const name = wireNameOf(cls);
    const other = this.byName.get(name);
    if (other && other !== cls) throw new MessagioTypeConflictError(name, [other.name, cls.name]);
    return name;
  }

  classFor(name: string): MessagioClass | undefined {
    return this.byName.get(name);
  }
}
