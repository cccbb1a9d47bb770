import { MessagioModule } from 'nestjs-messagio';

// #region memory
MessagioModule.forRoot({
  transport: 'memory',          // this process only: no Redis, nothing survives a restart
  worker: { concurrency: 4 },
  memory: { maxWaiting: 1000 }, // backpressure: fire() waits while 1,000 deliveries wait to run
});
// #endregion
