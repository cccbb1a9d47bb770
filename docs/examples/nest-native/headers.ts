import { Injectable } from '@nestjs/common';
import { MessagioPublisher, OnMessagio, type MessagioContext } from 'nestjs-messagio';
import { InvoiceDue, OrderPlaced } from './messages.js';

@Injectable()
export class Orders {
  constructor(private readonly publisher: MessagioPublisher) {}

  async place(): Promise<void> {
    // #region fire
    await this.publisher.fire(new OrderPlaced('A-1', 4200), { headers: { tenantId: 'acme', locale: 'fr-FR' } });
    // #endregion
  }
}

@Injectable()
export class Invoicing {
  // #region read
  @OnMessagio(OrderPlaced)
  async plan(order: OrderPlaced, context: MessagioContext): Promise<void> {
    context.headers.tenantId; // 'acme' (frozen; stored data: untrusted on a worker)
    // Inherits { tenantId: 'acme', locale: 'fr-FR' }; its own headers win: locale 'de-DE'.
    await new InvoiceDue(order.orderId).fire({ headers: { locale: 'de-DE' } });
  }
  // #endregion
}
