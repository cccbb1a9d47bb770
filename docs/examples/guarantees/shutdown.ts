import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagioModule } from 'nestjs-messagio';

@Module({ imports: [MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } })] })
export class WorkerModule {}

// #region shutdown
const app = await NestFactory.createApplicationContext(WorkerModule);
app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true }); // exit code 0 once the listeners in flight are done
// #endregion
