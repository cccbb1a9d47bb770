import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';

/**
 * The `ExecutionContext` type of a delivery: what `context.getType()` returns
 * in a guard, an interceptor, a pipe or an exception filter run for a listener.
 */
export const MESSAGIO_CONTEXT_TYPE = 'messagio';

/**
 * The parameter types of a listener's arguments `(message, context)`: the
 * numbers of @nestjs/microservices' `@Payload()` and `@Ctx()`, which Nest hands
 * to pipes as `'body'` and `'custom'`: a `ValidationPipe` validates the message
 * and leaves the context alone.
 */
export enum MessagioArgument {
  MESSAGE = 3,
  CONTEXT = 6,
}

/**
 * Metadata key of a listener method's parameters, in the layout Nest's
 * `ExternalContextCreator` reads (`"<type>:<index>"` → `{ index, data, pipes }`),
 * under a key of our own. Parameters with metadata are those pipes apply to.
 */
export const MESSAGIO_ARGS_METADATA = 'messagio:args';

/**
 * Gives an `@OnMessagio` method its parameters: the message at 0, the context
 * at 1, so that `@UsePipes` and global pipes transform the message argument as
 * they do a `@Payload()` of a microservice handler. Written once, by the
 * decorator, on the class that declares the method.
 */
export function defineListenerArguments(prototype: object, methodName: string | symbol): void {
  const owner = prototype.constructor;
  if (Reflect.hasOwnMetadata(MESSAGIO_ARGS_METADATA, owner, methodName)) return;
  Reflect.defineMetadata(
    MESSAGIO_ARGS_METADATA,
    {
      [`${MessagioArgument.MESSAGE}:0`]: { index: 0, data: undefined, pipes: [] },
      [`${MessagioArgument.CONTEXT}:1`]: { index: 1, data: undefined, pipes: [] },
    },
    owner,
    methodName,
  );
}

/** Hands `ExternalContextCreator` each argument from the delivery's `(message, context)`. */
export class MessagioParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, _data: ParamData, args: unknown[]): unknown {
    return type === MessagioArgument.CONTEXT ? args[1] : args[0];
  }
}
