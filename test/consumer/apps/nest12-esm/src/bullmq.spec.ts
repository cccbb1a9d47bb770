// One fire through the real BullMQ transport on a private redis-server.
import { Test, type TestingModule } from '@nestjs/testing';
import { startRedisServer, type RedisServerHandle } from 'nestjs-messagio/testing';
import { AppModule } from './app.module.js';
import { ConfirmationListener } from './confirmation.listener.js';
import { OrdersService } from './orders.service.js';

let redis: RedisServerHandle;
let app: TestingModule;

beforeAll(async () => {
  redis = await startRedisServer();
  process.env.REDIS_URL = redis.url;
  app = await Test.createTestingModule({ imports: [AppModule] }).compile();
  await app.init(); // the worker starts consuming at bootstrap
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

it('delivers a fired message to the listener through BullMQ', async () => {
  const receipt = await app.get(OrdersService).place('B-7', 3);
  expect(receipt.listeners).toEqual(['confirmation']);
  const outcome = await receipt.wait({ timeout: 15_000 });
  expect(outcome.ok).toBe(true);
  expect(app.get(ConfirmationListener).confirmed).toEqual(['B-7 x3 (bullmq)']);
});
