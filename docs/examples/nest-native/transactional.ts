import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterDrizzleOrm } from '@nestjs-cls/transactional-adapter-drizzle-orm';
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { OnMessagio, type MessagioContext } from 'nestjs-messagio';
import { OrderPlaced } from './messages.js';

// #region transactional
@Injectable()
export class Ledger {
  constructor(private readonly tx: TransactionHost<TransactionalAdapterDrizzleOrm<NodePgDatabase>>) {}

  // Each attempt runs in its own CLS context, so in its own transaction:
  // committed when the listener returns, rolled back when it throws (and then retried).
  @OnMessagio(OrderPlaced, { maxRetries: 3 })
  @Transactional()
  async book(order: OrderPlaced, context: MessagioContext): Promise<void> {
    await this.tx.tx.execute(sql`insert into ledger (delivery, amount) values (${context.deliveryId}, ${order.amount})`);
    await this.tx.tx.execute(sql`update accounts set balance = balance - ${order.amount} where order_id = ${order.orderId}`);
  }
}
// #endregion
