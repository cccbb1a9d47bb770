import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { ClsModule, ClsService } from 'nestjs-cls';
import { MessagioModule, MessagioPublisher, OnMessagio, type MessagioContext } from 'nestjs-messagio';
import { InvoiceDue, OrderPlaced } from './messages.js';


// #region hops
@Controller('orders')
export class OrdersController {
  constructor(private readonly publisher: MessagioPublisher) {}

  @Post() // x-tenant-id: acme
  async place(): Promise<void> {
    await this.publisher.fire(new OrderPlaced('A-1', 4200)); // headers: { tenantId: 'acme' }
  }
}

@Injectable()
export class Billing {
  constructor(private readonly cls: ClsService) {}

  @OnMessagio(OrderPlaced) // hop 1, maybe in another process
  async plan(order: OrderPlaced): Promise<void> {
    await new InvoiceDue(order.orderId).fire(); // inherits { tenantId: 'acme' }
  }

  @OnMessagio(InvoiceDue) // hop 2
  send(_invoice: InvoiceDue, context: MessagioContext): void {
    const tenantId = this.cls.get<string>('tenantId'); // 'acme', restored from context.headers
    const traceId = this.cls.get<string>('messagio.traceId'); // the delivery's ids, under 'messagio'
    void [tenantId, traceId, context];
  }
}
// #endregion

// #region module
@Module({
  imports: [
    // The HTTP request's context: its tenant, from a header (checked by your auth in a real app).
    ClsModule.forRoot({
      global: true,
      middleware: { mount: true, setup: (cls, req: { headers: Record<string, string | undefined> }) => cls.set('tenantId', req.headers['x-tenant-id']) },
    }),
    MessagioModule.forRootAsync({
      inject: [ClsService],
      useFactory: (cls: ClsService) => ({
        connection: process.env.REDIS_URL,
        propagate: {
          // At every fire: the tenant of the request (or of the listener) that fires.
          capture: () => {
            const tenantId = cls.isActive() ? cls.get<string | undefined>('tenantId') : undefined;
            return tenantId ? { tenantId } : undefined;
          },
          // Before every attempt, in the attempt's fresh CLS context: put it back.
          // Headers are stored data: check them as you would a request header.
          restore: (headers) => {
            if (headers.tenantId) cls.set('tenantId', headers.tenantId);
          },
        },
      }),
    }),
  ],
  controllers: [OrdersController],
  providers: [Billing],
})
export class AppModule {}
// #endregion
