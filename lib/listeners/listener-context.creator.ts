import { ForbiddenException, Injectable } from '@nestjs/common';
import { ContextIdFactory, ExternalContextCreator, ModuleRef, type ContextId } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
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
    const target = this.externalContextCreator.create(
      instance,
      instance[methodName]! as (...args: unknown[]) => unknown,
      methodName,
      MESSAGIO_ARGS_METADATA,
      this.params,
      contextId,
      inquirerId,
      // Without filters, no filter proxy: it would log every listener error a second time.
      { guards: true, interceptors: true, filters: enhancers.filters },
      MESSAGIO_CONTEXT_TYPE,
    ) as ListenerHandler;
    if (enhancers.guards.length === 0) return target;
    const guards = enhancers.guards;
    return async (message, context) => {
      try {
        return await target(message, context);
      } catch (error) {
        throw isGuardRefusal(error) ? new MessagioForbiddenError(listenerId, guards, { cause: error }) : error;
      }
    };
  }
}

/** What Nest throws when a guard returns false (a guard may throw its own error instead: that one goes on as it is). */
function isGuardRefusal(error: unknown): boolean {
  return error instanceof ForbiddenException && error.message === GUARD_REFUSAL;
}
