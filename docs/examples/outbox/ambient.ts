import { Injectable, Module } from '@nestjs/common';
import { ClsPluginTransactional, Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsModule } from 'nestjs-cls';
import { MessagioModule, MessagioPublisher } from 'nestjs-messagio';
import { MessagioOutboxModule, fromTypeOrm } from 'nestjs-messagio/outbox';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { OrderPlaced } from './messages.js';

const dataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });

@Module({ providers: [{ provide: DataSource, useValue: dataSource }], exports: [DataSource] })
class DatabaseModule {}

// #region ambient
@Injectable()
export class Orders {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly publisher: MessagioPublisher,
  ) {}

  @Transactional()
  async place(orderId: string): Promise<void> {
    await this.txHost.tx.query('INSERT INTO orders (id) VALUES ($1)', [orderId]);
    // No argument: written in the ambient transaction, committed or rolled back with the order.
    await this.publisher.fire(new OrderPlaced(orderId));
  }
}

@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      plugins: [new ClsPluginTransactional({ imports: [DatabaseModule], adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: DataSource }) })],
    }),
    MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } }),
    // The client reads the ambient transaction object: the adapter's (here an EntityManager).
    MessagioOutboxModule.forRoot({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }), client: fromTypeOrm }),
  ],
  providers: [Orders],
})
export class AppModule {}
// #endregion
