import { IsString } from 'class-validator';
import { MessageTypesRegistry } from '../../lib/message/message-types.registry.js';
import { declaresVersion, messageVersionOf } from '../../lib/message/messagio-type.decorator.js';
import { upcastPayload } from '../../lib/message/upcast-chain.js';
import { Messagio, MessagioConfigurationError, MessagioEnvelopeError, MessagioType, MessagioUpcast } from '../../lib/index.js';

@MessagioType('v.plain') class Plain extends Messagio {}
class Bare extends Messagio {}

describe('@MessagioType versions and @MessagioUpcast', () => {
  it('a version defaults to 1, and is known to be declared only when given', () => {
    @MessagioType('v.two', { version: 2 })
    @MessagioUpcast(1, (p) => p)
    class Two extends Messagio {}
    expect([messageVersionOf(Plain), messageVersionOf(Bare), messageVersionOf(Two)]).toEqual([1, 1, 2]);
    expect([declaresVersion(Plain), declaresVersion(Two)]).toEqual([false, true]);
    // Not inherited: a subclass is another type, at its own version.
    class Child extends Two {}
    expect(messageVersionOf(Child)).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN, '2'])('refuses version %p when the class is declared', (version) => {
    expect(() => MessagioType('v.bad', { version: version as number })).toThrow(MessagioConfigurationError);
    expect(() => MessagioType('v.bad', { version: version as number })).toThrow(/version must be a whole number ≥ 1/);
  });

  it('refuses an upcaster from a version that is no version, one that is no function, and two from one version', () => {
    expect(() => MessagioUpcast(0, (p) => p)).toThrow(/the version upcast from must be a whole number ≥ 1, got 0/);
    expect(() => MessagioUpcast(1, 'x' as never)).toThrow(/the upcaster must be a function/);
    expect(() => {
      @MessagioUpcast(1, (p) => p)
      @MessagioUpcast(1, (p) => p)
      class Twice extends Messagio {}
      return Twice;
    }).toThrow('Twice has two @MessagioUpcast(1, …); keep one upcaster per version.');
  });

  it('the registry keeps each type’s version and checked chain; a fire head of an unregistered class reads its decorator', () => {
    @MessagioType('v.three', { version: 3 })
    @MessagioUpcast(2, (p) => ({ ...p, step: [...(p.step as string[]), '2→3'] }))
    @MessagioUpcast(1, (p) => ({ ...p, step: ['1→2'] }))
    class Three extends Messagio {
      @IsString() id!: string;
    }
    const types = new MessageTypesRegistry();
    types.register(Three);
    const entry = types.entryFor('v.three')!;
    expect([entry.cls, entry.version, entry.upcasters.length]).toEqual([Three, 3, 2]);
    expect(upcastPayload('v.three', entry.upcasters, { id: 'a' }, 1)).toEqual({ id: 'a', step: ['1→2', '2→3'] });
    expect(types.headOf(Three)).toBe(entry);
    expect(types.headOf(Plain)).toEqual({ name: 'v.plain', version: 1 });
  });

  it('upcasts a copy: the stored payload stays as stored even when an upcaster changes its argument', () => {
    const stored = { id: 'a', nested: { n: 1 } };
    const out = upcastPayload('v.t', [(p) => Object.assign(p, { id: 'b', nested: { n: 2 } })], stored, 1);
    expect(out).toEqual({ id: 'b', nested: { n: 2 } });
    expect(stored).toEqual({ id: 'a', nested: { n: 1 } });
  });

  it('refuses a payload newer than the class, and an upcaster that returns no payload object, with typed errors', () => {
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const newer = attempt(() => upcastPayload('v.t', [(p) => p], {}, 3));
    expect(newer).toBeInstanceOf(MessagioEnvelopeError);
    expect((newer as MessagioEnvelopeError).problem).toBe('unsupported-message-version');
    for (const bad of [null, [], 'x', 3]) {
      const error = attempt(() => upcastPayload('v.t', [() => bad as never], {}, 1));
      expect([bad, (error as MessagioEnvelopeError).problem]).toEqual([bad, 'upcast-failed']);
    }
  });
});
