import type { ValidatorOptions } from 'class-validator';
import type { MessagioCodec } from '../message/codec.js';
import type { MessagioPropagation } from '../message/messagio-propagation.js';
import type { MessagioObserver } from './messagio-observer.js';

/** The module options the pipeline reads: how messages are checked, sized and observed. */
export interface PipelineModuleOptions {
  /**
   * Validate messages with class-validator at fire and again on the worker.
   * @default true
   */
  validate?: boolean;
  /**
   * class-validator options, e.g. `{ whitelist: true, forbidNonWhitelisted: true }`.
   * @default { forbidUnknownValues: false }
   */
  validation?: ValidatorOptions;
  /**
   * Throw `MessagioNoListenersError` when a fired type has no listener,
   * instead of warning once per type.
   * @default false
   */
  strict?: boolean;
  /**
   * Largest payload (JSON bytes) accepted: bigger messages are refused at fire,
   * and bigger stored payloads fail on the worker without retries.
   * @default 524288 (512 KiB)
   */
  maxPayloadBytes?: number;
  /** Observers of messages and deliveries (metrics, logging); more can be added via `MessagioObservers`. */
  observers?: MessagioObserver[];
  /**
   * Carries the app's own request context (tenant, user, locale) into every
   * message it causes, across processes: `capture()` at every fire returns
   * headers to add; `restore(headers, context)` before every attempt puts them
   * back (inside the attempt's CLS context when nestjs-cls is in the app).
   */
  propagate?: MessagioPropagation;
  /**
   * Run each listener inside messagio's async context, so that a message fired
   * anywhere in its async call chain (`message.fire()`, the injected publisher)
   * takes its traceId, headers and causation, and `message.fire()` goes through
   * the app running it. On Node 20 any `AsyncLocalStorage` turns on promise
   * hooks for the whole process, and every promise pays (BullMQ's too): ~8 µs
   * of CPU per delivery on a busy worker (docs/performance.md). With `false`,
   * fire with `{ causedBy: context }` to link a message to the delivery that
   * caused it; anything else a listener fires is a new trace.
   * @default true
   */
  asyncContext?: boolean;
}

/**
 * The pipeline's options, resolved once at bootstrap: the codec (validation
 * compiled, shared by the publisher's side and the dispatcher's), the payload
 * cap, strictness and the observers given as options.
 */
export interface PipelineOptions {
  codec: MessagioCodec;
  maxPayloadBytes: number;
  strict: boolean;
  observers: MessagioObserver[];
  /** Whether listeners run inside messagio's async context (`asyncContext`). */
  asyncContext: boolean;
  /** `propagate.capture`, called at every fire; undefined when not given. */
  capture: (() => Record<string, string> | undefined) | undefined;
}
