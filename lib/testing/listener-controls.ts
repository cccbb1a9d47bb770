import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { ListenerHandler, ListenerRegistry } from '../listeners/listener.registry.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio } from '../message/messagio.js';
import { MessagioInjectedFailure } from './errors.js';

interface ListenerControl {
  stub: ListenerHandler | undefined;
  failures: Array<() => Error>;
  restore: () => void;
}

/**
 * The harness's hold on listeners: stubs and injected failures, laid over a
 * listener's handler in the registry (its subscriptions and options stay),
 * until `restore()`.
 */
export class ListenerControls {
  private readonly controls = new Map<string, ListenerControl>();

  constructor(private readonly listeners: ListenerRegistry) {}

  /** See `MessagioTestHarness.stub`. */
  stub<T extends Messagio = Messagio>(listenerId: string, fn: (message: T, context: MessagioContext) => unknown): () => void {
    if (typeof fn !== 'function') throw new MessagioConfigurationError(`stub("${listenerId}"): give a function.`);
    const control = this.control(listenerId);
    const stub = fn as ListenerHandler;
    control.stub = stub;
    return () => {
      if (control.stub === stub) control.stub = undefined;
    };
  }

  /** See `MessagioTestHarness.failNext`. */
  failNext(listenerId: string, times = 1, error?: Error | (() => Error)): void {
    if (!Number.isInteger(times) || times < 1) throw new MessagioConfigurationError(`failNext("${listenerId}"): times must be a whole number ≥ 1, got ${String(times)}.`);
    const control = this.control(listenerId);
    const make =
      typeof error === 'function'
        ? error
        : error instanceof Error
          ? () => error
          : () => new MessagioInjectedFailure(`failNext: listener "${listenerId}" made to fail`);
    for (let i = 0; i < times; i++) control.failures.push(make);
  }

  /** Puts every controlled listener's own handler back. */
  restore(): void {
    for (const control of this.controls.values()) control.restore();
    this.controls.clear();
  }

  private control(listenerId: string): ListenerControl {
    const existing = this.controls.get(listenerId);
    if (existing) return existing;
    const control: ListenerControl = { stub: undefined, failures: [], restore: () => undefined };
    control.restore = this.listeners.override(listenerId, (original) => (message, context) => {
      const failure = control.failures.shift();
      if (failure) throw failure();
      return (control.stub ?? original)(message, context);
    });
    this.controls.set(listenerId, control);
    return control;
  }
}
