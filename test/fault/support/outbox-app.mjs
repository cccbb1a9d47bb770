// The app of the outbox fault-injection test, in plain ESM on the *built*
// package (dist/), shared by its worker processes and the test process.
// Decorators are applied by hand: this file is not compiled.
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsString } from 'class-validator';
import { Messagio, MessagioModule, MessagioType, OnMessagio } from '../../../dist/index.js';
import { MessagioOutboxModule } from '../../../dist/outbox/index.js';

/** One order, fired in the transaction that inserted it. */
export class OrderPlaced extends Messagio {
  constructor(order) {
    super();
    this.order = order;
  }
}
IsString()(OrderPlaced.prototype, 'order');
MessagioType('fault.order-placed')(OrderPlaced);

/**
 * `inbox: true`: inserts its effect through the inbox's transaction. Appends
 * `run <deliveryId> <pid>` to LOG_FILE (synchronously: a SIGKILL never leaves half a line)
 * before its write, so runs cut short by a kill or a rollback are counted too.
 */
export class EffectListener {
  async record(message, context) {
    if (process.env.LOG_FILE) appendFileSync(process.env.LOG_FILE, `run ${context.deliveryId} ${process.pid}\n`);
    await context.transaction.query(`INSERT INTO ${process.env.EFFECTS} (order_id) VALUES ($1)`, [message.order]);
    await new Promise((r) => setTimeout(r, 2));
  }
}
OnMessagio(OrderPlaced, { id: 'effects', inbox: true, maxRetries: 50, retryDelay: 100 })(
  EffectListener.prototype,
  'record',
  Object.getOwnPropertyDescriptor(EffectListener.prototype, 'record'),
);
Injectable()(EffectListener);

/** An app with the outbox (and its inbox) on `pool`, BullMQ on the given Redis. */
export async function createOutboxApp(messagio, outbox) {
  class AppModule {}
  Module({ imports: [MessagioModule.forRoot(messagio), MessagioOutboxModule.forRoot(outbox)], providers: [EffectListener] })(AppModule);
  return NestFactory.createApplicationContext(AppModule, { logger: process.env.QUIET ? false : ['error'] });
}
