import { ListenerRegistry } from '../../lib/listeners/listener.registry.js';
import { LISTENER_DEFAULTS } from '../../lib/listeners/listener-options.js';
import { MessageTypesRegistry } from '../../lib/message/message-types.registry.js';
import { wireNameOf } from '../../lib/message/messagio-type.decorator.js';
import {
  Messagio,
  MessagioConfigurationError,
  MessagioDuplicateListenerError,
  MessagioType,
  MessagioTypeConflictError,
} from '../../lib/index.js';

@MessagioType('shop.parent') class Parent extends Messagio {}
class Child extends Parent {}
class Plain extends Messagio {}
@MessagioType('Plain') class Impostor extends Messagio {}

const handler = () => undefined;
const opts = (priority: number) => ({ ...LISTENER_DEFAULTS, priority });

describe('MessageTypesRegistry', () => {
  it('uses @MessagioType, not inherited by subclasses, else the class name', () => {
    expect(wireNameOf(Parent)).toBe('shop.parent');
    expect(wireNameOf(Child)).toBe('Child');
    expect(wireNameOf(Plain)).toBe('Plain');
  });

  it('registers idempotently and refuses a second class for one name, naming both', () => {
    const types = new MessageTypesRegistry();
    expect(types.register(Plain)).toBe('Plain');
    expect(types.register(Plain)).toBe('Plain');
    expect(() => types.register(Impostor)).toThrow(MessagioTypeConflictError);
    expect(() => types.register(Impostor)).toThrow(/"Plain" is claimed by two classes: Plain and Impostor/);
    expect(() => types.nameOf(Impostor)).toThrow(MessagioTypeConflictError);
    expect(types.classFor('Plain')).toBe(Plain);
    expect(types.classFor('Impostor')).toBeUndefined();
  });

  it('is an allow-list: only registered names resolve to a class', () => {
    const types = new MessageTypesRegistry();
    expect(types.nameOf(Child)).toBe('Child');
    expect(types.classFor('Child')).toBeUndefined();
  });
});

describe('ListenerRegistry', () => {
  it('orders listeners by priority, then subscription order', () => {
    const registry = new ListenerRegistry(new MessageTypesRegistry());
    registry.add({ id: 'a', source: 'A', handler }, [{ cls: Plain, options: opts(5) }]);
    registry.add({ id: 'b', source: 'B', handler }, [{ cls: Plain, options: opts(9) }]);
    registry.add({ id: 'c', source: 'C', handler }, [{ cls: Plain, options: opts(5) }, { cls: Parent, options: opts(1) }]);
    registry.add({ id: 'd', source: 'D', handler }, [{ cls: Plain, options: opts(0) }]);
    expect(registry.bindingsFor('Plain').map((b) => b.listener.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(registry.bindingsFor('shop.parent').map((b) => b.listener.id)).toEqual(['c']);
    expect(registry.binding('c', 'shop.parent')!.options.priority).toBe(1);
    expect(registry.bindingsFor('nothing')).toEqual([]);
  });

  it('keeps the delivery order of a full sort when listeners of mixed priorities are added one by one', () => {
    const registry = new ListenerRegistry(new MessageTypesRegistry());
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647);
    const added: Array<{ id: string; priority: number; order: number }> = [];
    for (let i = 0; i < 300; i++) {
      const priority = random() % 12; // many ties
      registry.add({ id: `l${i}`, source: `L${i}`, handler }, [{ cls: Plain, options: opts(priority) }]);
      added.push({ id: `l${i}`, priority, order: i });
    }
    const expected = [...added].sort((a, b) => b.priority - a.priority || a.order - b.order).map((x) => x.id);
    expect(registry.bindingsFor('Plain').map((b) => b.listener.id)).toEqual(expected);
  });

  it('gives a list being iterated a copy: adding a listener does not change it', () => {
    const registry = new ListenerRegistry(new MessageTypesRegistry());
    registry.add({ id: 'a', source: 'A', handler }, [{ cls: Plain, options: opts(5) }]);
    const before = registry.bindingsFor('Plain');
    registry.add({ id: 'b', source: 'B', handler }, [{ cls: Plain, options: opts(9) }]);
    expect(before.map((b) => b.listener.id)).toEqual(['a']);
    expect(registry.bindingsFor('Plain').map((b) => b.listener.id)).toEqual(['b', 'a']);
  });

  it('tells whether listeners of different priorities share a queue, as they come and go', () => {
    const registry = new ListenerRegistry(new MessageTypesRegistry());
    const on = (queue: string, priority: number) => ({ ...LISTENER_DEFAULTS, priority, queue });
    registry.add({ id: 'a', source: 'A', handler }, [{ cls: Plain, options: on('main', 5) }, { cls: Parent, options: on('mail', 1) }]);
    registry.add({ id: 'b', source: 'B', handler }, [{ cls: Plain, options: on('main', 5) }]);
    expect(registry.mixedPriorities('main')).toBe(false);
    expect(registry.mixedPriorities('mail')).toBe(false);
    expect(registry.mixedPriorities('unknown')).toBe(false);
    registry.add({ id: 'c', source: 'C', handler }, [{ cls: Parent, options: on('main', 9) }]);
    expect(registry.mixedPriorities('main')).toBe(true); // another type, same queue
    expect(registry.mixedPriorities('mail')).toBe(false);
    registry.remove('c');
    expect(registry.mixedPriorities('main')).toBe(false);
    registry.add({ id: 'd', source: 'D', handler }, [{ cls: Parent, options: on('mail', 2) }]);
    expect(registry.mixedPriorities('mail')).toBe(true);
    registry.remove('d', 'shop.parent');
    expect(registry.mixedPriorities('mail')).toBe(false);
  });

  it('refuses a taken id and a type subscribed twice by one listener', () => {
    const registry = new ListenerRegistry(new MessageTypesRegistry());
    registry.add({ id: 'a', source: 'A.run', handler }, [{ cls: Plain, options: opts(5) }]);
    expect(() => registry.add({ id: 'a', source: 'B.run', handler }, [{ cls: Parent, options: opts(5) }])).toThrow(
      MessagioDuplicateListenerError,
    );
    expect(() => registry.add({ id: 'x', source: 'X', handler }, [{ cls: Plain, options: opts(1) }, { cls: Plain, options: opts(2) }])).toThrow(
      MessagioConfigurationError,
    );
  });

  it('removes a listener from one type or from all', () => {
    const registry = new ListenerRegistry(new MessageTypesRegistry());
    registry.add({ id: 'a', source: 'A', handler }, [{ cls: Plain, options: opts(5) }, { cls: Parent, options: opts(5) }]);
    expect(registry.remove('a', 'Plain')).toBe(true);
    expect(registry.bindingsFor('Plain')).toEqual([]);
    expect(registry.has('a')).toBe(true);
    expect(registry.remove('a', 'Plain')).toBe(false);
    expect(registry.remove('a')).toBe(true);
    expect(registry.has('a')).toBe(false);
    // the id is free again
    registry.add({ id: 'a', source: 'A2', handler }, [{ cls: Plain, options: opts(5) }]);
    expect(registry.bindingsFor('Plain').map((b) => b.listener.source)).toEqual(['A2']);
  });
});
