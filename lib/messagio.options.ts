import type { KeepJobs, Telemetry } from 'bullmq';
import type { ValidatorOptions } from 'class-validator';
import { MessagioConfigurationError } from './errors/messagio-configuration.error.js';
import type { MessagioListenerDefaults } from './listeners/listener-options.js';
import type {
  MessagioMemoryOptions,
  MessagioModuleOptions,
  MessagioTransportOption,
  MessagioQueueOptions,
  MessagioWorkerOptions,
} from './interfaces/messagio-module-options.interface.js';
import { compileRoutes, type QueueRouting } from './listeners/queue-routing.js';
import { MESSAGIO_QUEUE } from './messagio.constants.js';
import { resolveListenerOptions } from './listeners/listener-options.js';
import type { MessagioObserver } from './delivery/messagio-observer.js';

/** Module options with every default applied; what the rest of the library reads. */
export interface ResolvedMessagioOptions {
  connection: MessagioModuleOptions['connection'];
  queueName: string;
  prefix: string | undefined;
  worker: false | Required<MessagioWorkerOptions>;
  defaultListenerOptions: MessagioListenerDefaults;
  removeOnComplete: boolean | number | KeepJobs;
  removeOnFail: boolean | number | KeepJobs;
  transport: MessagioTransportOption;
  validate: boolean;
  validation: ValidatorOptions;
  strict: boolean;
  maxPayloadBytes: number;
  publishTimeout: number;
  shutdownTimeout: number;
  memory: Required<MessagioMemoryOptions>;
  observers: MessagioObserver[];
  telemetry: Telemetry | undefined;
  /** Declared queues (the default one included) with their worker settings. */
  queues: Map<string, MessagioQueueOptions>;
  /** Queues this process consumes. */
  workers: string[];
  routing: QueueRouting;
}

export const DEFAULT_REMOVE_ON_COMPLETE: KeepJobs = { count: 1000, age: 24 * 3600 };
export const DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024;
export const DEFAULT_REMOVE_ON_FAIL: KeepJobs = { count: 10_000, age: 7 * 24 * 3600 };

export function resolveMessagioOptions(options: MessagioModuleOptions = {}): ResolvedMessagioOptions {
  const worker = resolveWorker(options.worker);
  // Checked now so a bad default fails bootstrap, not the first delivery.
  resolveListenerOptions('defaultListenerOptions', options.defaultListenerOptions ?? {});
  const queueName = options.queueName ?? MESSAGIO_QUEUE;
  if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':')) {
    throw new MessagioConfigurationError(`queueName must be a non-empty string without ':', got ${JSON.stringify(queueName)}.`);
  }
  const transport = options.transport ?? 'bullmq';
  if (transport !== 'bullmq' && transport !== 'memory' && !isTransport(transport)) {
    throw new MessagioConfigurationError(
      `transport must be 'bullmq', 'memory' or an object implementing MessagioTransport, got ${JSON.stringify(transport)}.`,
    );
  }
  const queues = new Map<string, MessagioQueueOptions>([[queueName, {}]]);
  for (const [name, settings] of Object.entries(options.queues ?? {})) {
    if (name === '' || name.includes(':')) throw new MessagioConfigurationError(`queues: a queue name must be non-empty and without ':', got ${JSON.stringify(name)}.`);
    if (settings?.concurrency !== undefined) positiveInt(settings.concurrency, `queues.${name}.concurrency`);
    queues.set(name, { ...settings });
  }
  const workers = options.workers ?? [...queues.keys()];
  for (const name of workers) {
    if (!queues.has(name)) {
      throw new MessagioConfigurationError(`workers: "${name}" is not a declared queue (declared: ${[...queues.keys()].join(', ')}).`);
    }
  }
  const routes = compileRoutes(options.routes);
  for (const route of routes) {
    if (!queues.has(route.queue)) {
      throw new MessagioConfigurationError(
        `routes: '${route.pattern}' sends messages to queue "${route.queue}", which is not declared, so no worker could ever consume it. Add it to \`queues\`.`,
      );
    }
  }
  return {
    queues,
    workers,
    routing: { defaultQueue: queueName, queues: new Set(queues.keys()), routes },
    connection: options.connection,
    queueName,
    prefix: options.prefix,
    worker,
    defaultListenerOptions: options.defaultListenerOptions ?? {},
    removeOnComplete: options.removeOnComplete ?? DEFAULT_REMOVE_ON_COMPLETE,
    removeOnFail: options.removeOnFail ?? DEFAULT_REMOVE_ON_FAIL,
    transport,
    validate: options.validate ?? true,
    // class-validator ≥0.14 rejects objects without decorators by default; a
    // message class with no constraints is legitimate.
    validation: { forbidUnknownValues: false, ...(options.validation ?? {}) },
    strict: options.strict ?? false,
    maxPayloadBytes: positiveInt(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, 'maxPayloadBytes'),
    publishTimeout: positiveInt(options.publishTimeout ?? 5000, 'publishTimeout'),
    shutdownTimeout: positiveInt(options.shutdownTimeout ?? 30_000, 'shutdownTimeout'),
    memory: { maxWaiting: resolveMaxWaiting(options.memory?.maxWaiting ?? 1000) },
    observers: options.observers ?? [],
    telemetry: options.telemetry,
  };
}

function resolveWorker(worker: MessagioModuleOptions['worker']): ResolvedMessagioOptions['worker'] {
  if (worker === false) return false;
  const given = worker === true || worker === undefined ? {} : worker;
  return {
    concurrency: positiveInt(given.concurrency ?? 1, 'worker.concurrency'),
    lockDuration: positiveInt(given.lockDuration ?? 4000, 'worker.lockDuration'),
    stalledInterval: positiveInt(given.stalledInterval ?? 2000, 'worker.stalledInterval'),
    maxStalledCount: positiveInt(given.maxStalledCount ?? 10, 'worker.maxStalledCount'),
  };
}

function resolveMaxWaiting(value: unknown): number {
  return value === Infinity ? value : positiveInt(value, 'memory.maxWaiting');
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new MessagioConfigurationError(`${name} must be a whole number ≥ 1, got ${String(value)}.`);
  }
  return value;
}

function isTransport(value: unknown): boolean {
  const t = value as Record<string, unknown> | null;
  return !!t && typeof t === 'object' && ['enqueue', 'start', 'close'].every((k) => typeof t[k] === 'function');
}
