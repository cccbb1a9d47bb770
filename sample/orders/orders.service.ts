import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { MessagioPublisher, type FireReceipt } from '../../lib/index.js';
import { DATABASE_POOL } from '../database/database-pool.js';
import { OrderPlaced } from './order-placed.message.js';
import { OutOfStockError } from './out-of-stock.error.js';

/** The app's side of ordering: stores orders, fires OrderPlaced through the injected publisher. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly publisher: MessagioPublisher,
    @Inject(DATABASE_POOL) private readonly pool: pg.Pool,
  ) {}

  /**
   * One transaction: the order row, OrderPlaced (written to the outbox table
   * through this transaction), the stock taken. Committed, the relay moves
   * OrderPlaced to the transport and a worker runs the listeners; rolled back
   * (out of stock, an invalid order), there is no order and no OrderPlaced.
   */
  async place(order: OrderPlaced): Promise<FireReceipt> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO orders (id, customer_email, total_cents, placed_at) VALUES ($1, $2, $3, $4)', [
        order.orderId,
        order.customerEmail,
        order.totalCents(),
        order.placedAt,
      ]);
      const receipt = await this.publisher.fire(order, { transaction: client });
      // After the fire on purpose: what fails here takes the written OrderPlaced back with the order.
      for (const line of order.lines) {
        const taken = await client.query('UPDATE inventory SET available = available - $2 WHERE sku = $1 AND available >= $2', [line.sku, line.quantity]);
        if (taken.rowCount !== 1) throw new OutOfStockError(line.sku, line.quantity);
      }
      await client.query('COMMIT');
      return receipt;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Sync: runs every listener here, in priority order (retries included), and
   * resolves once all of them are done; rejects with MessagioDispatchError if
   * one failed for good. Not in a transaction: sync listeners would run before
   * its commit.
   */
  placeAndWait(order: OrderPlaced): Promise<FireReceipt> {
    return this.publisher.fire(order, { sync: true });
  }

  /** Ids of the orders stored, in order. */
  async placedOrderIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT id FROM orders ORDER BY id');
    return rows.map((r) => r.id);
  }
}
