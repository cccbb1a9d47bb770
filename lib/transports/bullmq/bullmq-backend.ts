import { Queue, Worker, createPostgresBackend, type PostgresConnectionOptions, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
import type { Delivery } from '../../contract/delivery.types.js';
import { MessagioInvalidMessageError } from '../../errors/messagio-invalid-message.error.js';
import type { MessagioEnvelope } from '../../message/envelope.js';

/**
 * Where BullMQ keeps the queues. Redis unless `postgres` is given: then every
 * queue and worker runs on BullMQ 6's PostgreSQL backend (`createPostgresBackend`),
 * with `postgres` as its connection (a connection string, a node-postgres pool
 * config, optionally with BullMQ's `schema` and `migrate`, or a `pg.Pool`).
 * @publicApi
 */
export interface MessagioBackendOption {
  postgres: PostgresConnectionOptions;
}

/** Which backend a queue of this process runs on. */
export type BackendKind = 'redis' | 'postgres';

// The constructors' overloads tie the connection type to the backend factory;
// the options are built once for whichever backend, so they are passed as such.
type AnyQueueOptions = QueueOptions<unknown>;
type AnyWorkerOptions = WorkerOptions<unknown>;

/** A BullMQ queue on the given backend. */
export function createQueue(kind: BackendKind, name: string, opts: AnyQueueOptions): Queue<MessagioEnvelope> {
  if (kind === 'postgres') {
    return new Queue(name, opts as QueueOptions<PostgresConnectionOptions>, createPostgresBackend) as unknown as Queue<MessagioEnvelope>;
  }
  return new Queue<MessagioEnvelope>(name, opts as QueueOptions);
}

/** A BullMQ worker on the given backend. */
export function createWorker(kind: BackendKind, name: string, processor: Processor<MessagioEnvelope>, opts: AnyWorkerOptions): Worker<MessagioEnvelope> {
  if (kind === 'postgres') {
    return new Worker(name, processor as Processor, opts as WorkerOptions<PostgresConnectionOptions>, createPostgresBackend) as unknown as Worker<MessagioEnvelope>;
  }
  return new Worker<MessagioEnvelope>(name, processor, opts as WorkerOptions);
}

/**
 * Throws `MessagioInvalidMessageError` for a message PostgreSQL cannot store:
 * jsonb holds no NUL character (`\u0000`) in a string. Checked before
 * anything is stored (once per message: its deliveries share the payload),
 * since a refusal in the middle of a multi-queue store would leave part of it
 * stored.
 */
export function checkStorableInPostgres(deliveries: Delivery[]): void {
  let checked: unknown;
  for (const { envelope } of deliveries) {
    if (envelope.payload === checked) continue;
    checked = envelope.payload;
    if (holdsNul(envelope.payload)) {
      throw new MessagioInvalidMessageError(undefined, {
        messageType: envelope.type,
        reason: "its payload holds a NUL character (\\u0000) in a string, which PostgreSQL's JSON (jsonb) cannot store",
      });
    }
  }
}

/** True when a string of the value (a key included) holds a NUL character. Payloads are JSON: plain objects, arrays, scalars. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  for (const key in value) if (key.includes('\0') || holdsNul((value as Record<string, unknown>)[key])) return true;
  return false;
}
