import type { ModuleMetadata, Provider } from '@nestjs/common';
import type { KeepJobs } from 'bullmq';
import { MessagioConfigurationError } from './errors/messagio-configuration.error.js';
import { MessagioCodec } from './message/codec.js';
import type { MessagioPropagation } from './message/messagio-propagation.js';
import type { PipelineModuleOptions, PipelineOptions } from './delivery/pipeline.options.js';
import { resolveListenerOptions, type ListenerModuleOptions } from './listeners/listener-options.js';
import type { ListenerRegistrarSettings } from './listeners/listener.registrar.js';
import { compileRoutes } from './listeners/queue-routing.js';
import type { StartupReportModuleOptions, StartupReportSettings } from './listeners/startup-report.options.js';
import { Messagio } from './message/messagio.js';
import { MESSAGIO_QUEUE } from './messagio.constants.js';
import type { MessagioBackendOption } from './transports/bullmq/bullmq-backend.js';
import {
  DEFAULT_REMOVE_ON_COMPLETE,
  DEFAULT_REMOVE_ON_FAIL,
  type BullMqTransportModuleOptions,
  type MessagioQueueOptions,
  type ResolvedBullMqOptions,
} from './transports/bullmq/bullmq-transport.options.js';
import type { MemoryTransportModuleOptions, MemoryTransportOptions } from './transports/memory/memory-transport.options.js';
import type {
  MessagioTransportOption,
  ResolvedWorkerOptions,
  StartupCheck,
  TransportModuleOptions,
  WorkerSettings,
} from './transports/transport-module.options.js';

/**
 * Options of `MessagioModule.forRoot()`: one flat object, made of the options
 * each room declares (transports, BullMQ, memory, listeners, pipeline).
 * @publicApi
 */
export interface MessagioModuleOptions
  extends TransportModuleOptions,
    BullMqTransportModuleOptions,
    MemoryTransportModuleOptions,
    ListenerModuleOptions,
    StartupReportModuleOptions,
    PipelineModuleOptions {}

/** The transport kinds the module wires differently (a custom one is any `MessagioTransport`). */
export type TransportKind = 'bullmq' | 'memory' | 'custom';

/**
 * Options of `MessagioModule.forRootAsync()`.
 * @publicApi
 */
export interface MessagioModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => Promise<MessagioModuleOptions> | MessagioModuleOptions; // eslint-disable-line @typescript-eslint/no-explicit-any
  inject?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  extraProviders?: Provider[];
  /**
   * The transport kind must be known before the factory runs, because it
   * decides which modules are imported. A `transport` returned by the factory
   * must agree with it.
   * @default 'bullmq'
   */
  transport?: TransportKind;
}

/**
 * The module options resolved once, at bootstrap (every default applied,
 * every value checked), in one slice per room. Provider factories hand each
 * class the slice, or the part of it, that it uses; no class injects this.
 */
export interface ResolvedMessagioOptions {
  transport: MessagioTransportOption;
  worker: WorkerSettings;
  startup: StartupCheck;
  pipeline: PipelineOptions;
  listeners: ListenerRegistrarSettings;
  report: StartupReportSettings;
  bullmq: ResolvedBullMqOptions;
  memory: MemoryTransportOptions;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024;

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
    if (settings?.globalConcurrency !== undefined) positiveInt(settings.globalConcurrency, `queues.${name}.globalConcurrency`);
    if (settings?.limiter !== undefined) {
      positiveInt(settings.limiter?.max, `queues.${name}.limiter.max`);
      positiveInt(settings.limiter?.duration, `queues.${name}.limiter.duration`);
    }
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
        `routes: '${route.pattern}' sends messages to queue "${route.queue}", which is not declared, so no worker could ever consume it. ` +
          `Add it to \`queues\` (known: ${[...queues.keys()].join(', ')}).`,
      );
    }
  }
  const postgres = resolvePostgres(options);
  const pipeline = resolvePipelineOptions(options);
  if (options.cls !== undefined && typeof options.cls !== 'boolean') {
    throw new MessagioConfigurationError(`cls must be true, false or left out (use nestjs-cls when the app has it), got ${JSON.stringify(options.cls)}.`);
  }
  const publishTimeout = positiveInt(options.publishTimeout ?? 5000, 'publishTimeout');
  const shutdownTimeout = positiveInt(options.shutdownTimeout ?? 30_000, 'shutdownTimeout');
  const connectTimeout = positiveInt(options.connectTimeout ?? 5000, 'connectTimeout');
  if (options.failFast !== undefined && typeof options.failFast !== 'boolean') {
    throw new MessagioConfigurationError(`failFast must be true or false, got ${JSON.stringify(options.failFast)}.`);
  }
  const maxWaiting = resolveMaxWaiting(options.memory?.maxWaiting ?? 1000);
  const removeOnComplete = options.removeOnComplete ?? DEFAULT_REMOVE_ON_COMPLETE;
  const removeOnFail = options.removeOnFail ?? DEFAULT_REMOVE_ON_FAIL;
  return {
    transport,
    worker: { enabled: worker !== false, queues: workers },
    startup: { connectTimeout: options.failFast === true ? connectTimeout : undefined },
    pipeline,
    listeners: {
      defaults: options.defaultListenerOptions ?? {},
      routing: { defaultQueue: queueName, queues: new Set(queues.keys()), routes },
      scope: { cls: options.cls, restore: options.propagate?.restore?.bind(options.propagate) },
      // The first message of a subscribed class pays no compiling.
      prepareClass: (cls) => pipeline.codec.prepare(cls),
    },
    report: resolveStartupReport(options, worker !== false),
    bullmq: {
      queueName,
      connection: options.connection,
      postgres,
      backend: postgres === undefined ? 'redis' : 'postgres',
      prefix: options.prefix,
      telemetry: options.telemetry,
      worker,
      queues,
      workers,
      removeOnComplete,
      removeOnFail,
      publishTimeout,
      shutdownTimeout,
    },
    // The memory transport keeps finished deliveries as BullMQ would, read from the same options.
    memory: {
      worker,
      keepCompleted: keepCount(removeOnComplete, 1000),
      keepFailed: keepCount(removeOnFail, 10_000),
      maxWaiting,
      shutdownTimeout,
    },
  };
}

/** The pipeline's slice: the options checked, the codec built (its validation compiled per class as messages come). */
export function resolvePipelineOptions(options: PipelineModuleOptions): PipelineOptions {
  const maxPayloadBytes = positiveInt(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, 'maxPayloadBytes');
  const codec = new MessagioCodec({
    validate: options.validate ?? true,
    // class-validator ≥0.14 rejects objects without decorators by default; a
    // message class with no constraints is legitimate.
    validation: { forbidUnknownValues: false, ...(options.validation ?? {}) },
  });
  const propagate = checkPropagation(options.propagate);
  if (options.asyncContext !== undefined && typeof options.asyncContext !== 'boolean') {
    throw new MessagioConfigurationError(`asyncContext must be true or false, got ${JSON.stringify(options.asyncContext)}.`);
  }
  return {
    codec,
    maxPayloadBytes,
    strict: options.strict ?? false,
    observers: options.observers ?? [],
    asyncContext: options.asyncContext ?? true,
    capture: propagate?.capture?.bind(propagate),
  };
}

/** `propagate`: an object whose `capture` and `restore`, when given, are functions. */
function checkPropagation(propagate: MessagioPropagation | undefined): MessagioPropagation | undefined {
  if (propagate === undefined) return undefined;
  const bad = (key: 'capture' | 'restore') => propagate[key] !== undefined && typeof propagate[key] !== 'function';
  if (typeof propagate !== 'object' || propagate === null || bad('capture') || bad('restore')) {
    throw new MessagioConfigurationError('propagate must be an object with capture() and/or restore(headers, context) functions.');
  }
  return propagate;
}

/** The kind of transport an option value selects. */
export function transportKind(transport: MessagioTransportOption | TransportKind | undefined): TransportKind {
  if (transport === undefined || transport === 'bullmq') return 'bullmq';
  if (transport === 'memory') return 'memory';
  return 'custom';
}

/**
 * forRootAsync() declares its transport kind next to the factory (it decides
 * which modules are imported before the factory runs): the options the
 * factory returned must agree with it.
 */
export function checkDeclaredTransport(declared: TransportKind, options: MessagioModuleOptions): void {
  const actual = transportKind(options.transport);
  if (actual !== declared) {
    throw new MessagioConfigurationError(
      `forRootAsync({ transport: '${declared}' }) but the factory returned a '${actual}' transport; declare it next to useFactory.`,
    );
  }
}

function resolveStartupReport({ messages = [], startupReport = 'warn' }: StartupReportModuleOptions, consumes: boolean): StartupReportSettings {
  if (!Array.isArray(messages) || messages.some((cls) => typeof cls !== 'function' || !(cls.prototype instanceof Messagio))) {
    throw new MessagioConfigurationError('messages must be an array of message classes (each extending Messagio).');
  }
  if (startupReport !== 'warn' && startupReport !== 'strict' && startupReport !== 'off') {
    throw new MessagioConfigurationError(`startupReport must be 'warn', 'strict' or 'off', got ${JSON.stringify(startupReport)}.`);
  }
  return { mode: startupReport, messages: [...messages], consumes };
}

/**
 * The PostgreSQL connection of `backend: { postgres }`, checked: it replaces
 * the Redis options, so giving those too is a mistake to report, not to ignore.
 */
function resolvePostgres(options: MessagioModuleOptions): MessagioBackendOption['postgres'] | undefined {
  const backend = options.backend;
  if (backend === undefined) return undefined;
  const postgres = (backend as Partial<MessagioBackendOption> | null)?.postgres;
  if (backend === null || typeof backend !== 'object' || Object.keys(backend).some((k) => k !== 'postgres') || postgres === undefined) {
    throw new MessagioConfigurationError(
      `backend must be { postgres: connection } (a connection string, a node-postgres pool config or a pg.Pool), got ${safeKeys(backend)}.`,
    );
  }
  if (typeof postgres !== 'string' && (postgres === null || typeof postgres !== 'object')) {
    throw new MessagioConfigurationError(`backend.postgres must be a connection string, a node-postgres pool config or a pg.Pool, got ${String(postgres)}.`);
  }
  if (options.connection !== undefined) {
    throw new MessagioConfigurationError('connection (Redis) and backend.postgres cannot go together: the queues run on PostgreSQL, give only backend.postgres.');
  }
  if (options.prefix !== undefined) {
    throw new MessagioConfigurationError(
      "prefix namespaces Redis keys and does not apply to the PostgreSQL backend: give BullMQ's schema in backend.postgres instead ({ connectionString, schema }).",
    );
  }
  return postgres;
}

function safeKeys(value: unknown): string {
  return value !== null && typeof value === 'object' ? `{ ${Object.keys(value).join(', ')} }` : String(value);
}

function resolveWorker(worker: MessagioModuleOptions['worker']): false | ResolvedWorkerOptions {
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

// BullMQ retention (`true`: remove at once, `false`: keep all, a count, or KeepJobs) as a count.
function keepCount(keep: boolean | number | KeepJobs, fallback: number): number {
  if (typeof keep === 'number') return keep;
  if (typeof keep === 'boolean') return keep ? 0 : Number.MAX_SAFE_INTEGER;
  return keep.count ?? fallback;
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
