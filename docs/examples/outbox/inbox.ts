import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { OnMessagio, type MessagioContext } from 'nestjs-messagio';
import type pg from 'pg';
import { OrderPlaced } from './messages.js';

// #region inbox-pg
@Injectable()
export class Ledger {
  // Runs in one transaction with the delivery's inbox row: a redelivery of a committed one is skipped.
  @OnMessagio(OrderPlaced, { inbox: true, maxRetries: 3 })
  async record(order: OrderPlaced, ctx: MessagioContext): Promise<void> {
    const tx = ctx.transaction as pg.PoolClient; // a client of the outbox's pool, after BEGIN
    await tx.query('INSERT INTO ledger (order_id) VALUES ($1)', [order.orderId]);
  }
}
// #endregion

// #region inbox-cls
@Injectable()
export class Invoices {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  // With @nestjs-cls/transactional: the inbox's transaction is the host's.
  @OnMessagio(OrderPlaced, { inbox: true })
  async invoice(order: OrderPlaced): Promise<void> {
    await this.txHost.tx.query('INSERT INTO invoices (order_id) VALUES ($1)', [order.orderId]);
  }
}
// #endregion
