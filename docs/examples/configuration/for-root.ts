import { MessagioModule } from 'nestjs-messagio';

// #region for-root
MessagioModule.forRoot({
  connection: process.env.REDIS_URL,            // or { host, port, ... }, or an ioredis client
  queueName: 'orders',
  worker: process.env.ROLE === 'web' ? false : { concurrency: 8 }, // false: publish-only
  removeOnComplete: { count: 5000, age: 3600 }, // completed jobs kept: at most 5,000, at most an hour
  strict: true,                                 // firing a type nobody listens to is an error
});
// #endregion
