import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { MESSAGIO_QUEUE, MessagioModule } from 'nestjs-messagio';

// #region queue
@Injectable()
export class QueueStats {
  // The BullMQ Queue that carries the deliveries (whatever its queueName).
  constructor(@InjectQueue(MESSAGIO_QUEUE) private readonly queue: Queue) {}

  counts() {
    return this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  }
}
// #endregion

// #region cluster
const connection = new Cluster([{ host: 'redis-1', port: 6379 } /* , … */], { redisOptions: { maxRetriesPerRequest: null } });

@Module({
  imports: [MessagioModule.forRoot({ connection, prefix: '{messagio}' })], // a hash tag: every key in one slot
  providers: [QueueStats],
})
export class AppModule {}
// #endregion

// #region fail-fast
@Module({
  imports: [
    MessagioModule.forRoot({
      connection: process.env.REDIS_URL,
      failFast: true,          // app.init() rejects with MessagioUnavailableError when Redis cannot be used
      connectTimeout: 10_000,  // ...or is not ready within 10 s
    }),
  ],
})
export class WorkerModule {}
// #endregion
