// A worker process for test/e2e/outbox/inbox-kill.e2e.spec.ts, in plain ESM on
// the built package (dist/); decorators are applied by hand. Its listener has
// inbox: true and inserts its effect through context.transaction. With
// KILL_AFTER_COMMIT=1, an observer SIGKILLs the process at `completed`: after the
// inbox transaction committed, before BullMQ's ack. Env: REDIS_PORT, QUEUE,
// POSTGRES_URL, TABLE, EFFECTS, LOG_FILE, KILL_AFTER_COMMIT. Prints "ready".
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsString } from 'class-validator';
import pg from 'pg';
import { Messagio, MessagioModule, MessagioType, OnMessagio } from '../../../../dist/index.js';
import { MessagioOutboxModule } from '../../../../dist/outbox/index.js';

export class Charge extends Messagio {
  constructor(order) {
    super();
    this.order = order;
  }
}
IsString()(Charge.prototype, 'order');
MessagioType('inbox.charge')(Charge);

class Billing {
  async charge(message, context) {
    appendFileSync(process.env.LOG_FILE, `ran ${context.deliveryId} ${process.pid}\n`);
    await context.transaction.query(`INSERT INTO ${process.env.EFFECTS} (order_id) VALUES ($1)`, [message.order]);
  }
}
OnMessagio(Charge, { id: 'billing', inbox: true })(Billing.prototype, 'charge', Object.getOwnPropertyDescriptor(Billing.prototype, 'charge'));
Injectable()(Billing);

const kill = process.env.KILL_AFTER_COMMIT === '1';
const pool = new pg.Pool({ connectionString: process.env.POSTGRES_URL, max: 4 });

class AppModule {}
Module({
  imports: [
    MessagioModule.forRoot({
      connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) },
      queueName: process.env.QUEUE,
      removeOnComplete: false,
      worker: { concurrency: 1, lockDuration: 1000, stalledInterval: 500 },
      observers: [
        {
          completed: (event) => {
            if (!kill) return;
            appendFileSync(process.env.LOG_FILE, `killed ${event.envelope.id}|${event.envelope.listener} ${process.pid}\n`);
            process.kill(process.pid, 'SIGKILL');
          },
        },
      ],
    }),
    MessagioOutboxModule.forRoot({ pool, table: process.env.TABLE, relay: false }),
  ],
  providers: [Billing],
})(AppModule);

await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
process.stdout.write('ready\n');
