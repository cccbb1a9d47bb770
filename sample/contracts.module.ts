// The orders app as `nestjs-messagio contracts` reads it: `npm run docs:asyncapi` writes its
// AsyncAPI document to docs/asyncapi/orders.json (and the tests check that it is up to date).
import { Module } from '@nestjs/common';
import { MessagioContractsModule } from '../lib/contracts/index.js';
import { AppModule } from './app.module.js';

@Module({
  imports: [
    AppModule.forRoot({}),
    MessagioContractsModule.forRoot({
      info: {
        title: 'Orders sample',
        version: '1.0.0',
        description:
          'The orders sample of nestjs-messagio (sample/): an order is placed, then email, stock, payment and audit listeners ' +
          'handle it; payment confirms it, which shipping and audit handle. Each channel is a BullMQ queue; each job is one ' +
          "delivery (one message for one listener): the job's name is the message's wire name, its id `messageId|listenerId`, " +
          'its data the envelope (the message headers) with the payload under `payload`.',
      },
    }),
  ],
})
export class ContractsModule {}

export default ContractsModule;
