import { Module } from '@nestjs/common';
import { ActivityLog } from './activity-log.js';
import { AuditListener } from './audit.listener.js';
import { EmailListener } from './email.listener.js';
import { OrdersSchema } from './orders.schema.js';
import { OrdersService } from './orders.service.js';
import { PaymentListener } from './payment.listener.js';
import { ShippingListener } from './shipping.listener.js';
import { StockListener } from './stock.listener.js';

/** Listeners are plain providers: MessagioModule finds their @OnMessagio methods at init. */
@Module({
  providers: [ActivityLog, OrdersSchema, OrdersService, EmailListener, StockListener, PaymentListener, AuditListener, ShippingListener],
  exports: [ActivityLog, OrdersService],
})
export class OrdersModule {}
