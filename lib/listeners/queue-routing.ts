import { MessagioConfigurationError } from '../errors/messagio-configuration.error.js';

/** One entry of the module's `routes`, compiled once at bootstrap. */
export interface CompiledRoute {
  pattern: string;
  test: RegExp;
  queue: string;
}

/** Where deliveries go: the default queue, every declared queue, and the compiled `routes`. */
export interface QueueRouting {
  defaultQueue: string;
  queues: ReadonlySet<string>;
  routes: readonly CompiledRoute[];
}

/**
 * `routes` ({ 'orders.*': 'critical' }) → matchers, in declaration order. In a
 * pattern `*` matches any run of characters and `?` one character.
 */
export function compileRoutes(routes: Record<string, string> | undefined): CompiledRoute[] {
  return Object.entries(routes ?? {}).map(([pattern, queue]) => {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return { pattern, test: new RegExp(`^${source}$`), queue };
  });
}

/**
 * The queue a listener's deliveries of `type` go to: the listener's own
 * `queue`, else the first matching route, else the default queue. A queue this
 * app does not declare could never be consumed: that is a bootstrap error.
 */
export function queueFor(
  type: string,
  listenerQueue: string | undefined,
  routing: QueueRouting,
  where: string,
): string {
  const route = listenerQueue === undefined ? routing.routes.find((r) => r.test.test(type)) : undefined;
  const queue = listenerQueue ?? route?.queue ?? routing.defaultQueue;
  if (!routing.queues.has(queue)) {
    const via = listenerQueue !== undefined ? `its { queue: '${queue}' } option` : `the route '${route!.pattern}'`;
    throw new MessagioConfigurationError(
      `${where}: ${type} is sent to queue "${queue}" by ${via}, but no such queue is declared, so no worker could ever consume it. ` +
        `Declare it in the module's \`queues\` option (known: ${[...routing.queues].join(', ')}).`,
    );
  }
  return queue;
}
