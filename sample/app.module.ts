import { Module, type DynamicModule } from '@nestjs/common';
import { MessagioModule, type MessagioModuleOptions } from '../lib/index.js';
import { MessagioOutboxModule } from '../lib/outbox/index.js';
import type { SampleDatabase } from './database/choose-database.js';
import { DatabaseModule } from './database/database.module.js';
import { noDatabase } from './database/no-database.js';
import { OrdersModule } from './orders/orders.module.js';

/**
 * Root module. The messagio options (Redis or memory) and the database
 * (DATABASE_URL or the embedded one) are chosen by main.ts at start.
 */
@Module({})
export class AppModule {
  static forRoot(messagio: MessagioModuleOptions, database?: Pick<SampleDatabase, 'pool' | 'schema'>): DynamicModule {
    // Without a database (reading the app's contracts): everything boots, nothing touches a database.
    const pool = database?.pool ?? noDatabase();
    return {
      module: AppModule,
      imports: [
        MessagioModule.forRoot(messagio),
        DatabaseModule.forRoot(pool),
        // fire(msg, { transaction }) writes to the outbox in the run's schema; the relay moves committed rows on.
        MessagioOutboxModule.forRoot(database ? { pool, schema: database.schema } : { pool, migrate: false, relay: false }),
        OrdersModule,
      ],
    };
  }
}
