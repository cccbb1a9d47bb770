// 7. Bootstrap: time to create and initialise a messagio app (BullMQ
//    transport, worker on) with 1,000 @OnMessagio methods vs none. The
//    methods live on 10 providers and subscribe to 10 message types; a second
//    case puts all 1,000 on one type (the registry keeps each type's listeners sorted).
import { Injectable, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Messagio, MessagioType, OnMessagio, type MessagioClass } from '../../lib/index.js';
import { messagioModule } from '../lib/apps.js';
import type { BenchContext, Scenario, Trial } from '../lib/harness.js';
import { Probe } from '../lib/listeners.js';

const METHODS = 1000;
const PROVIDERS = 10;
const TYPES = 10;

function messageTypes(count: number, prefix: string): MessagioClass[] {
  return Array.from({ length: count }, (_, i) => {
    const cls = class extends Messagio {};
    Object.defineProperty(cls, 'name', { value: `${prefix}Message${i}` });
    MessagioType(`bench.${prefix.toLowerCase()}-${i}`)(cls);
    return cls;
  });
}

/** `PROVIDERS` classes with `METHODS` decorated methods in all; method k subscribes to types[k % types.length]. */
function listenerProviders(types: MessagioClass[], prefix: string): Type[] {
  const perProvider = METHODS / PROVIDERS;
  return Array.from({ length: PROVIDERS }, (_, p) => {
    const cls = class {};
    Object.defineProperty(cls, 'name', { value: `${prefix}Listeners${p}` });
    for (let i = 0; i < perProvider; i++) {
      const k = p * perProvider + i;
      const name = `on${k}`;
      const descriptor: PropertyDescriptor = { value: function listener() {}, writable: true, configurable: true, enumerable: false };
      OnMessagio(types[k % types.length]!, k % 11)(cls.prototype, name, descriptor);
      Object.defineProperty(cls.prototype, name, descriptor);
    }
    Injectable()(cls);
    return cls;
  });
}

const SPREAD = listenerProviders(messageTypes(TYPES, 'Spread'), 'Spread');
const ONE_TYPE = listenerProviders(messageTypes(1, 'Single'), 'Single');

function bootTrial(ctx: BenchContext, key: string, listeners: Type[]): Trial {
  return {
    key,
    async run() {
      const module = messagioModule(
        { redis: ctx.redis, queueName: ctx.queueName('boot'), concurrency: 1, validate: true, listeners },
        new Probe(),
      );
      const t0 = performance.now();
      const app = await NestFactory.createApplicationContext(module, { logger: ['error'], abortOnError: false });
      const elapsed = performance.now() - t0;
      await app.close();
      return { 'init ms': elapsed };
    },
  };
}

export const bootstrapScenario: Scenario = {
  id: '7',
  title: 'Bootstrap',
  trials: (ctx) => [
    bootTrial(ctx, 'messagio 0 listeners', []),
    bootTrial(ctx, 'messagio 1000 listeners on 10 types', SPREAD),
    bootTrial(ctx, 'messagio 1000 listeners on 1 type', ONE_TYPE),
  ],
  rows: () => [
    {
      case: `app init, ${METHODS.toLocaleString('en-US')} @OnMessagio methods on ${PROVIDERS} providers, ${TYPES} types`,
      metric: 'init time',
      unit: 'ms',
      higherIsBetter: false,
      subject: { trial: 'messagio 1000 listeners on 10 types', metric: 'init ms', label: '1,000 listeners' },
      baseline: { trial: 'messagio 0 listeners', metric: 'init ms', label: 'none' },
      target: { kind: 'extra-at-most', value: 100, unit: 'ms' },
    },
    {
      case: `app init, ${METHODS.toLocaleString('en-US')} @OnMessagio methods all on 1 type`,
      metric: 'init time',
      unit: 'ms',
      higherIsBetter: false,
      subject: { trial: 'messagio 1000 listeners on 1 type', metric: 'init ms', label: '1,000 listeners' },
      baseline: { trial: 'messagio 0 listeners', metric: 'init ms', label: 'none' },
      target: { kind: 'extra-at-most', value: 100, unit: 'ms' },
    },
  ],
};
