import { Module, type DynamicModule } from '@nestjs/common';
import { MessagioModule, type MessagioModuleOptions } from '../lib/index.js';
import { OrdersModule } from './orders/orders.module.js';

/** Root module. The messagio options (Redis or memory) are chosen by main.ts at start. */
@Module({})
export class AppModule {
  static forRoot(messagio: MessagioModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagioModule.forRoot(messagio), OrdersModule],
    };
  }
}
