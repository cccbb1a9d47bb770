import { ForbiddenException, Injectable, type ExceptionFilter } from '@nestjs/common';
import { ContextIdFactory, ExternalContextCreator, ModuleRef, type ContextId } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { isObservable, lastValueFrom } from 'rxjs';
import { MessagioForbiddenError } from '../errors/messagio-forbidden.error.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio } from '../message/messagio.js';
import { MESSAGIO_ARGS_METADATA, MESSAGIO_CONTEXT_TYPE, MessagioParamsFactory } from './listener-arguments.js';
import { enhancersOf, globalEnhancersOf, type GlobalEnhancers, type ListenerEnhancers } from './listener-enhancers.js';
import type { ListenerHandler } from './listener.registry.js';

type ListenerMethod = (message: Messagio, context: MessagioContext) => unknown;
type Host = Record<string, ListenerMethod>;

// What Nest's guards consumer throws when a guard returns false (`@nestjs/core` guards/constants).
const GUARD_REFUSAL = 'Forbidden resource';

/**
 * Builds, once per `@OnMessagio` method at registration, the handler the
 * dispatcher calls: when guards, interceptors, pipes or exception filters apply
 * (its own `@Use*`, its class's, the app's global ones), Nest's
 * `ExternalContextCreator` wraps the method in them, as @nestjs/microservices
 * does a `@MessagePattern` handler, with the context type `'messagio'` and
 * the arguments `(message, context)`; with none, the handler is the bare call.
 *
 * Request-scoped and durable listeners (and static ones under request-scoped
 * enhancers) get a DI context per delivery, whose request is the
 * `MessagioContext`: their instance and enhancers are resolved in it, and the
 * chain is created for that instance, as microservices do per `contextId`.
 */
@Injectable()
export class ListenerContextCreator {
  private readonly params = new MessagioParamsFactory();
  private globals: GlobalEnhancers | undefined;

  constructor(
    private readonly externalContextCreator: ExternalContextCreator,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The handler of `wrapper`'s method `methodName`, listener `listenerId`. */
  create(wrapper: InstanceWrapper, methodName: string, listenerId: string, prototype: Host): ListenerHandler {
    // Read once, at the first registration (after the app applied its APP_* providers and useGlobal*()).
    const globals = (this.globals ??= globalEnhancersOf(this.moduleRef));
    // The class that holds the method (a factory provider's metatype is its factory).
    const enhancers = enhancersOf(prototype.constructor, prototype[methodName]!, globals);
    if (wrapper.isDependencyTreeStatic() && globals.requestScoped.length === 0) {
      const instance = wrapper.instance as Host;
      if (!enhancers.any) return (message, context) => instance[methodName]!(message, context);
      return this.chain(instance, methodName, listenerId, enhancers, wrapper.id);
    }
    return this.perDelivery(wrapper, methodName, listenerId, enhancers, globals);
  }

  /** Each delivery gets its own DI context, as a request would. */
  private perDelivery(wrapper: InstanceWrapper, methodName: string, listenerId: string, enhancers: ListenerEnhancers, globals: GlobalEnhancers): ListenerHandler {
    const isStatic = wrapper.isDependencyTreeStatic();
    return async (message, context) => {
      const contextId = ContextIdFactory.getByRequest(context);
      this.moduleRef.registerRequestByContextId(context, contextId);
      const instance = isStatic ? (wrapper.instance as Host) : ((await this.moduleRef.resolve(wrapper.token, contextId, { strict: false })) as Host);
      // Request-scoped global enhancers are not attached to providers by Nest (only to controllers): instantiate them here.
      for (const global of globals.requestScoped) await this.moduleRef.resolve(global.token, contextId, { strict: false });
      if (!enhancers.any) return instance[methodName]!(message, context);
      return this.chain(instance, methodName, listenerId, enhancers, wrapper.id, contextId)(message, context);
    };
  }

  private chain(
    instance: Host,
    methodName: string,
    listenerId: string,
    enhancers: ListenerEnhancers,
    inquirerId: string,
    contextId?: ContextId,
  ): ListenerHandler {
    const method = instance[methodName]! as (...args: unknown[]) => unknown;
    // Guards, interceptors and pipes through Nest; exception filters below, with a delivery's
    // meaning of "handled" (ExternalContextCreator's proxy reads a filter returning undefined as
    // "not handled", and would also hand a guard's refusal to a catch-all filter).
    let handler = this.externalContextCreator.create(
      instance,
      method,
      methodName,
      MESSAGIO_ARGS_METADATA,
      this.params,
      contextId,
      inquirerId,
      { guards: true, interceptors: true, filters: false },
      MESSAGIO_CONTEXT_TYPE,
    ) as ListenerHandler;
    if (enhancers.guards.length > 0) handler = refusalsNamed(handler, listenerId, enhancers.guards);
    if (enhancers.filters) handler = this.filtered(handler, instance, method, contextId, inquirerId);
    return handler;
  }

  /**
   * The listener's exception filters (its own `@UseFilters`, its class's, the
   * app's global ones, resolved by Nest's filter context as for any handler):
   * the first that `@Catch()`es the error decides. It returns (any value, or
   * nothing): the error is handled and the attempt completes with that value.
   * It throws (or its Observable errors): that error is what the retry policy
   * sees. A guard's refusal never reaches a filter: it fails the delivery.
   */
  private filtered(handler: ListenerHandler, instance: Host, method: (...args: unknown[]) => unknown, contextId?: ContextId, inquirerId?: string): ListenerHandler {
    const creator = this.externalContextCreator as unknown as FilterContextHolder;
    const moduleKey = creator.getContextModuleKey(instance.constructor);
    const exceptionsHandler = creator.filtersContextCreator.create(instance, method, moduleKey, contextId, inquirerId) as unknown as { filters?: FilterMetadata[] };
    const filters = exceptionsHandler.filters ?? [];
    if (filters.length === 0) return handler;
    return async (message, context) => {
      try {
        return await handler(message, context);
      } catch (error) {
        if (error instanceof MessagioForbiddenError) throw error;
        const filter = filters.find(({ exceptionMetatypes }) => exceptionMetatypes.length === 0 || exceptionMetatypes.some((type) => error instanceof type));
        if (!filter) throw error;
        const host = new ExecutionContextHost([message, context], instance.constructor as never, method);
        host.setType(MESSAGIO_CONTEXT_TYPE);
        const result = await filter.func(error, host);
        return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
      }
    };
  }
}

/** The parts of Nest's `ExternalContextCreator` the filter step reads: its exception filter context. */
interface FilterContextHolder {
  getContextModuleKey(moduleCtor: Function | undefined): string; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
  filtersContextCreator: { create(instance: object, callback: Function, module: string, contextId?: ContextId, inquirerId?: string): unknown }; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
}

/** A resolved exception filter, as Nest's filter context lists them. */
interface FilterMetadata {
  func: ExceptionFilter['catch'];
  exceptionMetatypes: Array<abstract new (...args: never[]) => unknown>;
}

/** A guard that returned false fails the delivery for good, naming the listener's guards. */
function refusalsNamed(handler: ListenerHandler, listenerId: string, guards: readonly string[]): ListenerHandler {
  return async (message, context) => {
    try {
      return await handler(message, context);
    } catch (error) {
      throw isGuardRefusal(error) ? new MessagioForbiddenError(listenerId, guards, { cause: error }) : error;
    }
  };
}

/** What Nest throws when a guard returns false (a guard may throw its own error instead: that one goes on as it is). */
function isGuardRefusal(error: unknown): boolean {
  return error instanceof ForbiddenException && error.message === GUARD_REFUSAL;
}
