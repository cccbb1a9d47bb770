// A built app for the CLI tests: `nestjs-messagio contracts … --app <this file, built>`.
// Its Redis connection points nowhere: the CLI must boot it without Redis.
import { Module } from '@nestjs/common';
import { MessagioModule } from 'nestjs-messagio';
import { MessagioContractsModule } from 'nestjs-messagio/contracts';
import { ShippingListeners } from './listeners.js';

@Module({
  imports: [
    MessagioModule.forRoot({ connection: { host: '127.0.0.1', port: 1 }, queueName: 'shipping', queues: { audit: {} }, routes: { 'shipping.parcel-lost': 'audit' } }),
    MessagioContractsModule.forRoot({ info: { title: 'Shipping', version: '2.1.0' } }),
  ],
  providers: [ShippingListeners],
})
export class AppModule {}
