import type { ArgumentsHost } from '@nestjs/common';
import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';
import type { MessagioContext } from '../message/messagio-context.js';
import type { Messagio } from '../message/messagio.js';
import { MESSAGIO_CONTEXT_TYPE } from './listener-arguments.js';

/** What a guard, interceptor, pipe or filter sees of a delivery. */
export interface MessagioDeliveryArguments<T extends Messagio = Messagio> {
  /** The message, rebuilt and validated (what the listener receives; a pipe may replace it). */
  message: T;
  context: MessagioContext;
}

/**
 * Typed access to a delivery from an enhancer. For a listener,
 * `host.getType()` is `'messagio'` and the arguments are `(message, context)`:
 *
 * ```ts
 * intercept(host: ExecutionContext, next: CallHandler) {
 *   if (MessagioExecutionContext.is(host)) {
 *     const { message, context } = MessagioExecutionContext.of(host);
 *   }
 * }
 * ```
 * @publicApi
 */
export const MessagioExecutionContext = {
  /** The `ExecutionContext` type of a delivery. */
  type: MESSAGIO_CONTEXT_TYPE,

  /** True when `host` is a delivery to a listener. */
  is(host: ArgumentsHost): boolean {
    return host.getType<string>() === MESSAGIO_CONTEXT_TYPE;
  },

  /** The delivery's message and context; throws `MessagioConfigurationError` for a host of another type (HTTP, RPC, WebSocket). */
  of<T extends Messagio = Messagio>(host: ArgumentsHost): MessagioDeliveryArguments<T> {
    const type = host.getType<string>();
    if (type !== MESSAGIO_CONTEXT_TYPE) {
      throw new MessagioConfigurationError(
        `MessagioExecutionContext.of() needs the context of a listener (type '${MESSAGIO_CONTEXT_TYPE}'), got '${type}': check MessagioExecutionContext.is(host) first.`,
      );
    }
    return { message: host.getArgByIndex<T>(0), context: host.getArgByIndex<MessagioContext>(1) };
  },
} as const;
