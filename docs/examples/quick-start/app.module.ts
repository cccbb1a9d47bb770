import { Module } from '@nestjs/common';
import { MessagioModule } from 'nestjs-messagio';
import { EmailListener } from './email.listener.js';
import { Mailer } from './mailer.js';
import { OrdersService } from './orders.service.js';

@Module({
  imports: [MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } })],
  providers: [Mailer, EmailListener, OrdersService],
})
export class AppModule {}
