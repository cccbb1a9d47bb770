import { Injectable } from '@nestjs/common';
import { MessagioPublisher } from 'nestjs-messagio';
import type pg from 'pg';
import { OrderPlaced } from './messages.js';

@Injectable()
export class Orders {
  constructor(
    private readonly pool: pg.Pool,
    private readonly publisher: MessagioPublisher,
  ) {}

  // #region fire-pg
  async place(orderId: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO orders (id) VALUES ($1)', [orderId]);
      // Written in this transaction: relayed once it commits, never if it rolls back.
      await this.publisher.fire(new OrderPlaced(orderId), { transaction: client });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
  // #endregion
}
