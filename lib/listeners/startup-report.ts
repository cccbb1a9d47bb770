import { Logger } from '@nestjs/common';
import { MessagioStartupReportError } from '../errors/messagio-startup-report.error.js';
import { declaredMessageClasses } from '../message/declared-message-classes.js';
import type { MessageTypesRegistry } from '../message/message-types.registry.js';
import { FAULT_TYPE } from '../message/messagio-fault.js';
import { declaresVersion, wireNameOf } from '../message/messagio-type.decorator.js';
import { Messagio } from '../message/messagio.js';
import type { ListenerRegistry } from './listener.registry.js';
import type { StartupReportSettings } from './startup-report.options.js';

/**
 * What a user would want to know about an app's messages before it runs, one
 * line a problem: a known message type no listener of this app handles (in a
 * process that consumes), a listened type without a version, a listener id
 * whose deliveries land on several queues. Run once at bootstrap, when every
 * listener is registered (before consuming); `strict` turns the lines into a
 * `MessagioStartupReportError`.
 */
export class StartupReport {
  private readonly logger = new Logger('Messagio');

  constructor(
    private readonly types: MessageTypesRegistry,
    private readonly listeners: ListenerRegistry,
    private readonly settings: StartupReportSettings,
  ) {}

  /** Logs each problem found, or throws them together with `strict`. */
  run(): void {
    if (this.settings.mode === 'off') return;
    const problems = this.problems();
    if (problems.length === 0) return;
    if (this.settings.mode === 'strict') throw new MessagioStartupReportError(problems);
    for (const problem of problems) this.logger.warn(`Startup report: ${problem}`);
  }

  /** The problems, one sentence each, in a stable order. */
  problems(): string[] {
    return [...(this.settings.consumes ? this.unhandledTypes() : []), ...this.unversionedTypes(), ...this.listenersOnSeveralQueues()];
  }

  private unhandledTypes(): string[] {
    const listed = new Set<object>(this.settings.messages);
    const known = new Map<string, object>();
    for (const { name, cls } of this.types.entries()) known.set(name, cls);
    for (const cls of declaredMessageClasses()) {
      const name = wireNameOf(cls as typeof Messagio);
      if (!known.has(name) && (cls as { prototype: unknown }).prototype instanceof Messagio) known.set(name, cls);
    }
    return [...known]
      .filter(([name]) => name !== FAULT_TYPE && this.listeners.bindingsFor(name).length === 0)
      .map(
        ([name, cls]) =>
          `no listener of this app handles message type "${name}" (class ${(cls as { name: string }).name}, ` +
          `${listed.has(cls) ? 'listed in `messages`' : 'declared with @MessagioType'}): what this app fires of it reaches no one. ` +
          'Subscribe a listener, or stop declaring it here.',
      );
  }

  private unversionedTypes(): string[] {
    return this.listeners
      .typeNames()
      .map((name) => this.types.entryFor(name))
      .filter((entry) => entry !== undefined && entry.name !== FAULT_TYPE && !declaresVersion(entry.cls))
      .map(
        (entry) =>
          `message type "${entry!.name}" (class ${entry!.cls.name}), handled by ${this.listenerList(entry!.name)}, has no version: ` +
          `declare it with @MessagioType('${entry!.name}', { version: 1 }), so that a breaking change to it becomes a version bump with an upcaster.`,
      );
  }

  private listenersOnSeveralQueues(): string[] {
    const problems: string[] = [];
    for (const id of this.listeners.ids()) {
      const byQueue = new Map<string, string[]>();
      for (const binding of this.listeners.bindingsOf(id)) {
        const queue = binding.options.queue ?? '(default)';
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), binding.type]);
      }
      if (byQueue.size < 2) continue;
      const where = [...byQueue].map(([queue, types]) => `"${queue}": ${types.join(', ')}`).join('; ');
      problems.push(
        `listener "${id}" takes deliveries from ${byQueue.size} queues (${where}): one id on several queues, so a process ` +
          'that consumes only some of them runs it for some of its types only. Route its types to one queue, or split it into one listener per queue.',
      );
    }
    return problems;
  }

  private listenerList(type: string): string {
    const ids = this.listeners.bindingsFor(type).map((b) => `"${b.listener.id}"`);
    return `${ids.length === 1 ? 'listener' : 'listeners'} ${ids.join(', ')}`;
  }
}
