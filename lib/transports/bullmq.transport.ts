import { Logger } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job, type JobsOptions, type KeepJobs, type Queue } from 'bullmq';
import type { MessagioEnvelope } from '../message/envelope.js';
import { toBullPriority } from '../delivery/priority.js';
import type { Delivery, DeliveryHandler, MessagioTransport } from './messagio-transport.interface.js';

/** Settings of the BullMQ transport, taken from the module options. */
export interface BullMqTransportOptions {
  worker: false | { concurrency: number };
  removeOnComplete: boolean | number | KeepJobs;
  removeOnFail: boolean | number | KeepJobs;
}

/**
 * Deliveries as BullMQ jobs: one job per (message, listener), job id
 * `messageId|listenerId`, data = the envelope, BullMQ priority and backoff from
 * the listener's options. The queue is the one registered with
 * `@nestjs/bullmq` (so `@InjectQueue` and dashboards see it); the worker is
 * ours, started after discovery.
 */
export class BullMqTransport implements MessagioTransport {
  readonly name = 'bullmq';
  private readonly logger = new Logger('Messagio');
  private worker: Worker<MessagioEnvelope> | undefined;

  constructor(
    readonly queue: Queue<MessagioEnvelope>,
    private readonly options: BullMqTransportOptions,
  ) {}

  async enqueue(deliveries: Delivery[]): Promise<void> {
    if (deliveries.length === 1) {
      const d = deliveries[0]!;
      await this.queue.add(d.envelope.type, d.envelope, this.jobOptions(d));
    } else if (deliveries.length > 1) {
      // addBulk stores every job in one MULTI: one round trip.
      await this.queue.addBulk(deliveries.map((d) => ({ name: d.envelope.type, data: d.envelope, opts: this.jobOptions(d) })));
    }
  }

  async start(handler: DeliveryHandler): Promise<void> {
    if (!this.options.worker || this.worker) return;
    const opts = this.queue.opts as { connection: unknown; prefix?: string };
    this.worker = new Worker<MessagioEnvelope>(this.queue.name, (job) => this.process(job, handler), {
      connection: opts.connection as never,
      prefix: opts.prefix,
      concurrency: this.options.worker.concurrency,
      autorun: false,
    });
    this.worker.on('error', (error) => this.logger.error(`BullMQ worker error: ${error.message}`, error.stack));
    void this.worker.run().catch((error: Error) => this.logger.error(`BullMQ worker stopped: ${error.message}`, error.stack));
    await this.worker.waitUntilReady();
  }

  async pause(): Promise<void> {
    await this.worker?.pause();
  }

  async resume(): Promise<void> {
    this.worker?.resume();
  }

  /** Waits for deliveries in flight, then closes the worker; the queue is closed by @nestjs/bullmq. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  private async process(job: Job<MessagioEnvelope>, handler: DeliveryHandler): Promise<void> {
    const outcome = await handler(job.data, { attempt: job.attemptsMade + 1, transport: this.name });
    if (outcome.status === 'completed') return;
    if (outcome.status === 'retry') throw outcome.error; // BullMQ waits the job's backoff and retries
    // Failed for good: no retry, whatever attempts remain. Keep the original name in the reason.
    const error = new UnrecoverableError(`${outcome.error.name}: ${outcome.error.message}`);
    error.stack = outcome.error.stack;
    throw error;
  }

  private jobOptions(d: Delivery): JobsOptions {
    return {
      jobId: d.id,
      priority: toBullPriority(d.priority),
      attempts: d.attempts,
      backoff: d.backoff,
      delay: d.delay > 0 ? d.delay : undefined,
      removeOnComplete: this.options.removeOnComplete,
      removeOnFail: this.options.removeOnFail,
    };
  }
}
