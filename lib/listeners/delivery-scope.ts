import type { ModuleRef } from '@nestjs/core';
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
 * nestjs-cls is an optional peer: it is loaded here, once, and only its
 * `ClsService` as the app provides it (`ClsModule`) is used; without it (or
 * without `ClsModule`), nothing of it is loaded on the path of a delivery.
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

async function findClsService(moduleRef: ModuleRef): Promise<ClsRunner | undefined> {
  let exports: { ClsService?: abstract new (...args: never[]) => unknown; default?: { ClsService?: unknown } };
  try {
    exports = (await import('nestjs-cls')) as typeof exports;
  } catch {
    return undefined; // not installed
  }
  const ClsService = exports.ClsService ?? (exports.default?.ClsService as typeof exports.ClsService);
  if (typeof ClsService !== 'function') return undefined;
  try {
    const service = moduleRef.get(ClsService, { strict: false }) as Partial<ClsRunner> | undefined;
    return typeof service?.runWith === 'function' ? (service as ClsRunner) : undefined;
  } catch {
    return undefined; // installed, but no ClsModule in this app
  }
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
