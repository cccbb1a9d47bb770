import { Module } from '@nestjs/common';
import { MessagioModule } from 'nestjs-messagio';
import { ConfirmationListener } from './confirmation.listener';
import { OrdersService } from './orders.service';

@Module({
  imports: [
    MessagioModule.forRootAsync({
      useFactory: () => ({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }),
    }),
  ],
  providers: [ConfirmationListener, OrdersService],
})
export class AppModule {}
