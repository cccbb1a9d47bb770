// The app of the fault-injection suite, in plain ESM on the *built* package
// (dist/), so worker processes and the test process share one copy of it.
// Decorators are applied by hand: this file is not compiled.
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsInt, IsOptional } from 'class-validator';
import { Messagio, MessagioModule, MessagioType, OnMessagio } from '../../../dist/index.js';

/** One unit of work: `ms` is how long the listener runs. */
export class Work extends Messagio {
  constructor(n, ms = 0) {
    super();
    this.n = n;
    this.ms = ms;
  }
}
IsInt()(Work.prototype, 'n');
IsOptional()(Work.prototype, 'ms');
IsInt()(Work.prototype, 'ms');
MessagioType('fault.work')(Work);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Appends `start|done <deliveryId> <attempt> <pid> <time>` to LOG_FILE: written
 * synchronously, so a SIGKILL never leaves half a line.
 */
export class WorkListener {
  async run(message, context) {
    const log = (event) => {
      if (process.env.LOG_FILE) appendFileSync(process.env.LOG_FILE, `${event} ${context.deliveryId} ${context.attempt} ${process.pid} ${Date.now()}\n`);
    };
    log('start');
    // CAP_MS lets a test start a worker that finishes long deliveries quickly.
    const ms = Math.min(message.ms, Number(process.env.CAP_MS ?? Infinity));
    if (ms > 0) await sleep(ms);
    log('done');
  }
}
OnMessagio(Work, { id: 'work', maxRetries: 3, retryDelay: 50 })(WorkListener.prototype, 'run', Object.getOwnPropertyDescriptor(WorkListener.prototype, 'run'));
Injectable()(WorkListener);

/** Builds and initialises an app on the given Redis port and queue. */
export async function createWorkApp(options) {
  class AppModule {}
  Module({ imports: [MessagioModule.forRoot(options)], providers: [WorkListener] })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  return app;
}

/** Reads a LOG_FILE: per delivery id, how many times it started and finished. */
export function parseLog(text) {
  const started = new Map();
  const done = new Map();
  for (const line of text.split('\n')) {
    const [event, id, , pid, at] = line.split(' ');
    if (!id) continue;
    const map = event === 'start' ? started : done;
    const list = map.get(id) ?? [];
    list.push({ pid: Number(pid), at: Number(at) });
    map.set(id, list);
  }
  return { started, done };
}
