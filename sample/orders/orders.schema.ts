import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { DATABASE_POOL } from '../database/database-pool.js';
import { isNoDatabase } from '../database/no-database.js';

/** What the shop starts with. */
export const INITIAL_STOCK: Readonly<Record<string, number>> = { KEYBOARD: 10, 'CABLE-USB-C': 100, MONITOR: 3, MOUSE: 50 };

/** The orders and inventory tables, created at init in the run's schema (the pool's search path). */
@Injectable()
export class OrdersSchema implements OnModuleInit {
  constructor(@Inject(DATABASE_POOL) private readonly pool: pg.Pool) {}

  async onModuleInit(): Promise<void> {
    if (isNoDatabase(this.pool)) return;
    await this.pool.query(`CREATE TABLE IF NOT EXISTS orders (
  id text PRIMARY KEY,
  customer_email text NOT NULL,
  total_cents integer NOT NULL,
  placed_at timestamptz NOT NULL
)`);
    await this.pool.query('CREATE TABLE IF NOT EXISTS inventory (sku text PRIMARY KEY, available integer NOT NULL)');
    for (const [sku, available] of Object.entries(INITIAL_STOCK)) {
      await this.pool.query('INSERT INTO inventory (sku, available) VALUES ($1, $2) ON CONFLICT (sku) DO NOTHING', [sku, available]);
    }
  }
}
