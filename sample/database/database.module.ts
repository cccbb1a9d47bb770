import { Global, Module, type DynamicModule } from '@nestjs/common';
import type pg from 'pg';
import { DATABASE_POOL } from './database-pool.js';

/** Provides the pool chosen at start (see choose-database.ts) to the whole app. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(pool: pg.Pool): DynamicModule {
    return { module: DatabaseModule, providers: [{ provide: DATABASE_POOL, useValue: pool }], exports: [DATABASE_POOL] };
  }
}
