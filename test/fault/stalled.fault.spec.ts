import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MessagioFault as Fault } from '../../lib/index.js';
import { redisConnection, uniqueQueue, eventually } from '../support/redis.js';
import { builtPackage } from './support/dist.js';
import { startWorker, scratch } from './support/processes.js';
import { createWorkApp, parseLog, Work } from './support/work.mjs';

// A delivery whose worker keeps dying fails as stalled once it stalled more than
// maxStalledCount times (here 1: two crashes in a row). BullMQ fails such a job before any processor sees it:
// it must still be reported as every final failure is, with a MessagioFault.

describe('fault injection: a delivery failed as stalled', () => {
  it('fires one MessagioFault saying so, for the listener and message whose worker died; the listener never runs again', async () => {
    const lib = await builtPackage();
    const { port } = redisConnection();
    const logs = scratch();
    const queueName = uniqueQueue('stalled');
    const faults: Fault[] = [];

    // The surviving app: it does not run the work, it listens to faults, and it fails a delivery at its second stall.
    class FaultRecorder {
      on(fault: Fault) {
        faults.push(fault);
      }
    }
    lib.OnMessagio(lib.MessagioFault, { id: 'faults' })(FaultRecorder.prototype, 'on', Object.getOwnPropertyDescriptor(FaultRecorder.prototype, 'on')!);
    Injectable()(FaultRecorder);
    class SurvivorModule {}
    Module({
      imports: [
        lib.MessagioModule.forRoot({
          connection: { host: '127.0.0.1', port },
          queueName,
          worker: { concurrency: 1, lockDuration: 1000, stalledInterval: 300, maxStalledCount: 1 },
          removeOnComplete: false,
        }),
      ],
      providers: [FaultRecorder],
    })(SurvivorModule);

    const publisher: INestApplicationContext = await createWorkApp({ connection: { host: '127.0.0.1', port }, queueName, worker: false, removeOnComplete: false });
    let survivor: INestApplicationContext | undefined;
    const env = { REDIS_PORT: String(port), QUEUE: queueName, LOG_FILE: logs.file('work.log'), CONCURRENCY: '1' };
    const victims = [await startWorker(env)];
    try {
      const receipt = await publisher.get(lib.MessagioPublisher).fire(new Work(1, 60_000));
      const deliveryId = `${receipt.messageId}|work`;
      const starts = () => parseLog(logs.read('work.log')).started.get(deliveryId) ?? [];
      await eventually(() => starts().length === 1, 10_000, 'the delivery to start on the first victim');
      // Two crashes in a row: the second victim takes the delivery back after the first stall, and dies too.
      victims.push(await startWorker(env));
      victims[0]!.child.kill('SIGKILL');
      await victims[0]!.exited;
      await eventually(() => starts().length === 2, 20_000, 'the delivery to run again on the second victim');
      victims[1]!.child.kill('SIGKILL');
      await victims[1]!.exited;

      survivor = await NestFactory.createApplicationContext(SurvivorModule, { logger: ['error'], abortOnError: false });
      await eventually(() => faults.length > 0, 20_000, 'a MessagioFault for the stalled delivery');
      expect(faults).toHaveLength(1);
      const [fault] = faults;
      expect({ type: fault!.type, messageId: fault!.messageId, traceId: fault!.traceId, listener: fault!.listener, deliveryId: fault!.deliveryId, poison: fault!.poison }).toEqual({
        type: 'fault.work',
        messageId: receipt.messageId,
        traceId: receipt.traceId,
        listener: 'work',
        deliveryId,
        poison: false,
      });
      expect(fault!.error.message).toBe('job stalled more than allowable limit');
      expect(fault!.payload).toEqual({ n: 1, ms: 60_000 });
      const [status] = await publisher.get(lib.MessagioAdmin).status(receipt.messageId);
      expect(status?.status).toBe('failed');
      // Reported once, and the work never ran again.
      await new Promise((r) => setTimeout(r, 1000));
      expect(faults).toHaveLength(1);
      expect(starts()).toHaveLength(2);
    } finally {
      for (const v of victims) if (v.child.exitCode === null && v.child.signalCode === null) v.child.kill('SIGKILL');
      await survivor?.close();
      await publisher.close();
      logs.remove();
    }
  }, 90_000);
});
