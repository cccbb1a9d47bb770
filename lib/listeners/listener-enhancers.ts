import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA } from '@nestjs/common/constants.js';
import type { ApplicationConfig, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';

/** The app's global enhancers (`APP_*` providers, `app.useGlobal*()`), read once at bootstrap. */
export interface GlobalEnhancers {
  /** Any global guard, interceptor or pipe; or the app's config could not be read (then every listener gets a chain). */
  any: boolean;
  filters: boolean;
  /** Global guards, by class name, in the order Nest runs them. */
  guards: string[];
  /** Request-scoped global enhancers: each delivery instantiates them in its own DI context. */
  requestScoped: InstanceWrapper[];
}

/** What applies to one listener method: decided at registration, never per delivery. */
export interface ListenerEnhancers {
  /** Any guard, interceptor, pipe or filter: the listener is called through Nest's chain; otherwise bare. */
  any: boolean;
  /** Any exception filter (else the chain is built without the filter proxy, which would log every error again). */
  filters: boolean;
  /** Guard class names, global → class → method (what `MessagioForbiddenError` names). */
  guards: string[];
}

/**
 * The app's global enhancers. `ApplicationConfig` is not a provider: it is
 * read from the container behind `ModuleRef`, the one place Nest keeps it;
 * when that cannot be read, every listener is given a chain (correct, slower).
 */
export function globalEnhancersOf(moduleRef: ModuleRef): GlobalEnhancers {
  const config = (moduleRef as unknown as { container?: { applicationConfig?: ApplicationConfig } }).container?.applicationConfig;
  if (!config) return { any: true, filters: true, guards: [], requestScoped: [] };
  const requestScoped = [
    ...config.getGlobalRequestGuards(),
    ...config.getGlobalRequestInterceptors(),
    ...config.getGlobalRequestPipes(),
    ...config.getGlobalRequestFilters(),
  ] as InstanceWrapper[];
  const filters = config.getGlobalFilters().length > 0 || config.getGlobalRequestFilters().length > 0;
  const guards = [...config.getGlobalGuards().map(nameOf), ...config.getGlobalRequestGuards().map((w) => nameOf(w.metatype))];
  const any = filters || requestScoped.length > 0 || guards.length > 0 || config.getGlobalInterceptors().length > 0 || config.getGlobalPipes().length > 0;
  return { any, filters, guards, requestScoped };
}

/** The enhancers of `method` of class `owner` (its own and its class's `@Use*`), with the app's global ones. */
export function enhancersOf(owner: object, method: object, globals: GlobalEnhancers): ListenerEnhancers {
  const own = (key: string) => [...metadata(key, owner), ...metadata(key, method)];
  const guards = [...globals.guards, ...own(GUARDS_METADATA).map(nameOf)];
  const filters = globals.filters || own(EXCEPTION_FILTERS_METADATA).length > 0;
  const any = globals.any || filters || guards.length > 0 || own(INTERCEPTORS_METADATA).length > 0 || own(PIPES_METADATA).length > 0;
  return { any, filters, guards };
}

function metadata(key: string, target: object): unknown[] {
  const value = Reflect.getMetadata(key, target) as unknown[] | undefined;
  return Array.isArray(value) ? value : [];
}

/** An enhancer given as a class or as an instance, by its class name. */
function nameOf(enhancer: unknown): string {
  if (typeof enhancer === 'function') return enhancer.name || 'anonymous guard';
  const ctor = (enhancer as { constructor?: { name?: string } } | null)?.constructor;
  return ctor?.name || 'anonymous guard';
}
