// 6. In-process paths, no Redis: fire({ sync: true }) and the in-memory
//    transport, each message to three listeners, vs @nestjs/event-emitter's
//    emitAsync to the same three listeners. Rate in deliveries (listener calls) per second.
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MemoryTransport } from '../../lib/index.js';
import { createEventEmitterApp, createMessagioApp } from '../lib/apps.js';
import type { BenchContext, RowSpec, Scenario, Trial, TrialResult } from '../lib/harness.js';
import { OrderShippedEventListeners, OrderShippedListeners } from '../lib/listeners.js';
import { OrderShipped, orderPayload } from '../lib/messages.js';
import { perSecond } from '../lib/stats.js';
import { within } from '../lib/wait.js';

const FULL = 20_000; // messages; ×3 deliveries
const WARMUP = 500;
const LISTENERS = 3;

/**
 * Wall-clock rate, and CPU time of this process per delivery: all of this
 * scenario's work is on this thread, so the CPU figure holds even when other
 * processes slow the machine down.
 */
function startClock() {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  return {
    stop(deliveries: number): TrialResult {
      const elapsed = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      return { 'deliveries/s': perSecond(deliveries, elapsed), 'cpu µs/delivery': (cpu.user + cpu.system) / deliveries };
    },
  };
}

/** A global interceptor that does nothing: what a chain of Nest enhancers costs a delivery (issue 12). */
@Injectable()
class NoopInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}

const WITH_INTERCEPTOR = 'messagio sync validation off, no-op APP_INTERCEPTOR';

function syncTrial(ctx: BenchContext, validate: boolean, interceptor = false): Trial {
  return {
    key: interceptor ? WITH_INTERCEPTOR : `messagio sync validation ${validate ? 'on' : 'off'}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const providers = interceptor ? [{ provide: APP_INTERCEPTOR, useClass: NoopInterceptor }] : [];
      const m = await createMessagioApp({ transport: 'memory', concurrency: false, validate, listeners: [OrderShippedListeners], providers });
      try {
        for (let i = 0; i < WARMUP; i++) await m.publisher.fire(new OrderShipped(orderPayload(i)), { sync: true });
        const before = m.probe.delivered;
        const clock = startClock();
        for (let i = 0; i < n; i++) await m.publisher.fire(new OrderShipped(orderPayload(i)), { sync: true });
        if (m.probe.delivered - before !== n * LISTENERS) throw new Error(`sync: ${m.probe.delivered - before} deliveries, expected ${n * LISTENERS}`);
        return clock.stop(n * LISTENERS);
      } finally {
        await m.close();
      }
    },
  };
}

function memoryTrial(ctx: BenchContext, validate: boolean): Trial {
  return {
    key: `messagio memory validation ${validate ? 'on' : 'off'}`,
    async run() {
      const n = ctx.size(FULL, 500);
      const m = await createMessagioApp({ transport: 'memory', concurrency: 1, validate, listeners: [OrderShippedListeners] });
      const transport = m.transport as MemoryTransport;
      try {
        for (let i = 0; i < WARMUP; i++) await m.publisher.fire(new OrderShipped(orderPayload(i)));
        await within(transport.idle(), 60_000, 'warm-up');
        const before = m.probe.delivered;
        const clock = startClock();
        for (let i = 0; i < n; i++) await m.publisher.fire(new OrderShipped(orderPayload(i)));
        await within(transport.idle(), 120_000, `${n * LISTENERS} in-memory deliveries`);
        if (m.probe.delivered - before !== n * LISTENERS) throw new Error(`memory: ${m.probe.delivered - before} deliveries, expected ${n * LISTENERS}`);
        return clock.stop(n * LISTENERS);
      } finally {
        await m.close();
      }
    },
  };
}

function eventEmitterTrial(ctx: BenchContext): Trial {
  return {
    key: 'event-emitter',
    async run() {
      const n = ctx.size(FULL, 500);
      const e = await createEventEmitterApp([OrderShippedEventListeners]);
      const emitter = e.app.get(EventEmitter2);
      try {
        for (let i = 0; i < WARMUP; i++) await emitter.emitAsync('bench.order-shipped', new OrderShipped(orderPayload(i)));
        const before = e.probe.delivered;
        const clock = startClock();
        for (let i = 0; i < n; i++) await emitter.emitAsync('bench.order-shipped', new OrderShipped(orderPayload(i)));
        if (e.probe.delivered - before !== n * LISTENERS) throw new Error(`event-emitter: ${e.probe.delivered - before} deliveries, expected ${n * LISTENERS}`);
        return clock.stop(n * LISTENERS);
      } finally {
        await e.close();
      }
    },
  };
}

/** Issue 14's targets: validation off, memory ≥ 150k and sync ≥ 250k deliveries/s; validation on, ≥ 100k for both. */
function inProcessTarget(path: 'sync' | 'memory', validate: boolean): number {
  if (validate) return 100_000;
  return path === 'sync' ? 250_000 : 150_000;
}

export const inProcessScenario: Scenario = {
  id: '6',
  title: 'In-process: sync and memory transport vs event-emitter',
  isolated: true,
  trials: (ctx) => [
    eventEmitterTrial(ctx),
    syncTrial(ctx, true),
    syncTrial(ctx, false),
    syncTrial(ctx, false, true),
    memoryTrial(ctx, true),
    memoryTrial(ctx, false),
  ],
  rows: () => [
    ...(['sync', 'memory'] as const).flatMap((path) =>
      [true, false].flatMap((validate): RowSpec[] => {
        const what = `${path === 'sync' ? 'fire({ sync: true })' : 'memory transport, concurrency 1'}, 3 listeners, validation ${validate ? 'on' : 'off'}`;
        const trial = `messagio ${path} validation ${validate ? 'on' : 'off'}`;
        return [
          {
            case: what,
            metric: 'throughput',
            unit: 'deliveries/s',
            higherIsBetter: true,
            subject: { trial, metric: 'deliveries/s', label: 'messagio' },
            baseline: { trial: 'event-emitter', metric: 'deliveries/s', label: 'event-emitter' },
            target: { kind: 'at-least' as const, value: inProcessTarget(path, validate), unit: 'deliveries/s' },
          },
          {
            case: what,
            metric: 'CPU per delivery',
            unit: 'µs',
            higherIsBetter: false,
            subject: { trial, metric: 'cpu µs/delivery', label: 'messagio' },
            baseline: { trial: 'event-emitter', metric: 'cpu µs/delivery', label: 'event-emitter' },
          },
        ];
      }),
    ),
    // Issue 12: a listener without enhancers is called bare (no chain is built); with one,
    // Nest's ExternalContextCreator chain runs per delivery. Same app, same listeners.
    {
      case: 'fire({ sync: true }), 3 listeners, validation off, a no-op APP_INTERCEPTOR; baseline: no enhancer',
      metric: 'CPU per delivery',
      unit: 'µs',
      higherIsBetter: false,
      subject: { trial: WITH_INTERCEPTOR, metric: 'cpu µs/delivery', label: 'with interceptor' },
      baseline: { trial: 'messagio sync validation off', metric: 'cpu µs/delivery', label: 'no enhancer' },
    },
  ],
};
