import { ModulesContainer, type ModuleRef } from '@nestjs/core';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { MessagioPropagation } from '../message/messagio-propagation.js';
import type { DeliveryScope } from './listener.registry.js';

/**
 * The key under which each attempt's CLS context holds its `MessagioContext`:
 * `cls.get('messagio')`, or one id: `cls.get('messagio.traceId')`.
 */
export const MESSAGIO_CLS_KEY = 'messagio';

/** What the delivery scope uses of nestjs-cls's `ClsService` (its documented `runWith`). */
interface ClsRunner {
  runWith<T>(store: Record<string | symbol, unknown>, callback: () => T): T;
}

/** What the delivery scope is made of, resolved with the module options. */
export interface DeliveryScopeSettings {
  /** `true`: nestjs-cls must be in the app; `false`: never; undefined: when it is. */
  cls: boolean | undefined;
  restore: MessagioPropagation['restore'];
}

/**
 * The delivery scope of this app, decided once at bootstrap; undefined when
 * there is none (no nestjs-cls, no `propagate.restore`): listeners are then
 * called as they are, at no cost.
 *
 * nestjs-cls is an optional peer: only its `ClsService` as the app provides
 * it (`ClsModule`) is used; messagio never loads nestjs-cls itself.
 */
export async function resolveDeliveryScope(moduleRef: ModuleRef, settings: DeliveryScopeSettings): Promise<DeliveryScope | undefined> {
  const cls = settings.cls === false ? undefined : await findClsService(moduleRef);
  if (settings.cls === true && cls === undefined) {
    throw new MessagioConfigurationError(
      'cls: true, but no ClsService of nestjs-cls is in this app: install nestjs-cls and import ClsModule.forRoot({ global: true }), or drop the cls option.',
    );
  }
  return deliveryScope(cls, settings.restore);
}

/**
 * A fresh CLS context per attempt, holding the `MessagioContext` under
 * `MESSAGIO_CLS_KEY` — never the caller's (a sync fire inside an HTTP request
 * does not leak the request's values into the listener) — then
 * `propagate.restore(headers, context)` inside it (awaited only when it
 * returns a promise), then the listener with its enhancers.
 */
export function deliveryScope(cls: ClsRunner | undefined, restore: MessagioPropagation['restore']): DeliveryScope | undefined {
  if (restore !== undefined) {
    const restored: DeliveryScope = (call) => (message, context) => {
      const done = restore(context.headers, context);
      return isPromise(done) ? done.then(() => call(message, context)) : call(message, context);
    };
    if (cls === undefined) return restored;
    return (call) => {
      const inner = restored(call);
      return (message, context) => cls.runWith({ [MESSAGIO_CLS_KEY]: context }, () => inner(message, context));
    };
  }
  if (cls === undefined) return undefined;
  return (call) => (message, context) => cls.runWith({ [MESSAGIO_CLS_KEY]: context }, () => call(message, context));
}

/**
 * The app's `ClsService`, found among its providers, never imported: loading
 * nestjs-cls sets up an AsyncLocalStorage (`enterWith`), which turns on
 * Node's promise hooks for the whole process. An app without `ClsModule`
 * would pay them on every promise (each fire, each Redis command).
 */
async function findClsService(moduleRef: ModuleRef): Promise<ClsRunner | undefined> {
  let modules: ModulesContainer;
  try {
    modules = moduleRef.get(ModulesContainer, { strict: false });
  } catch {
    return undefined;
  }
  for (const module of modules.values()) {
    for (const token of module.providers.keys()) {
      if (typeof token !== 'function' || token.name !== 'ClsService' || typeof (token.prototype as Partial<ClsRunner>).runWith !== 'function') continue;
      try {
        const service = moduleRef.get(token, { strict: false }) as Partial<ClsRunner> | undefined;
        if (typeof service?.runWith === 'function') return service as ClsRunner;
      } catch {
        // not resolvable from here: look further
      }
    }
  }
  return undefined;
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
