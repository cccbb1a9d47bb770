import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { OrdersService } from './orders.service.js';

const app = await NestFactory.createApplicationContext(AppModule);
app.enableShutdownHooks(); // app.close() on SIGTERM: listeners in flight finish first
await app.get(OrdersService).place('A-1', 4200);
