import { readFileSync } from 'node:fs';
import { MessagioModule } from 'nestjs-messagio';

// #region tls
MessagioModule.forRoot({
  connection: {
    host: 'redis.internal',
    port: 6380,
    username: 'messagio',
    password: process.env.REDIS_PASSWORD,
    tls: { ca: readFileSync('/etc/ssl/redis-ca.pem') },
  },
});
// #endregion
