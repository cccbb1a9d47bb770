import { Module } from '@nestjs/common';
import { MessagioModule } from 'nestjs-messagio';
import { Pool } from 'pg';
import { ConfigModule, ConfigService } from '../configuration/for-root-async.js';

// #region postgres
@Module({
  imports: [
    MessagioModule.forRoot({
      // Every queue and worker on BullMQ's PostgreSQL backend: no Redis. `migrate: true` creates or
      // upgrades BullMQ's schema at boot (idempotent, safe when instances boot together).
      backend: { postgres: { connectionString: process.env.DATABASE_URL, schema: 'bullmq', migrate: true } },
    }),
  ],
})
export class AppModule {}
// #endregion

// #region postgres-async
@Module({
  imports: [
    MessagioModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      // A pg.Pool of your own is used as it is: migrate its schema from a deployment step
      // (BullMQ's runMigrations), set its search_path, and end it after app.close().
      useFactory: (config: ConfigService) => ({ backend: { postgres: new Pool({ connectionString: config.get('DATABASE_URL') }) } }),
    }),
  ],
})
export class PoolAppModule {}
// #endregion
