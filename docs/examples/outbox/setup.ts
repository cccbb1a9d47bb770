import { Injectable, Module } from '@nestjs/common';
import { MessagioModule, OnMessagio } from 'nestjs-messagio';
import { MessagioOutboxModule } from 'nestjs-messagio/outbox';
import pg from 'pg';
import { OrderPlaced } from './messages.js';

@Injectable()
export class Shipping {
  readonly shipped: string[] = [];
  @OnMessagio(OrderPlaced) ship(message: OrderPlaced) {
    this.shipped.push(message.orderId);
  }
}

// #region setup
// The relay's own pool (and the migrations'): rows are written through the app's transaction,
// read and deleted through this.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

@Module({
  imports: [
    MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } }),
    MessagioOutboxModule.forRoot({
      pool,
      // client: fromPg (default), fromTypeOrm, fromDrizzle, fromKysely, fromKnex, fromPrisma, fromMikroOrm
      relay: { batchSize: 100, leaseMs: 30_000, pollMs: 1000 },
    }),
  ],
  providers: [Shipping],
})
export class AppModule {}
// #endregion
