import { Queue, Worker, createPostgresBackend, type PostgresConnectionOptions, type Processor, type QueueOptions, type WorkerOptions } from 'bullmq';
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
