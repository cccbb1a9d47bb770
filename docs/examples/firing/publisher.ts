import { Injectable } from '@nestjs/common';
import { MessagioPublisher, MessagioUnavailableError, OnMessagio, type MessagioContext } from 'nestjs-messagio';
import { InvoiceRequested, OrderPlaced } from './messages.js';

@Injectable()
export class Orders {
  constructor(private readonly publisher: MessagioPublisher) {}

  async fire(orderId: string, requestTraceId: string) {
    // #region fire
    const receipt = await this.publisher.fire(new OrderPlaced(orderId, 4200));
    receipt.messageId; // the message's id (a UUID unless you give one)
    receipt.traceId;   // its trace
    receipt.listeners; // the listener ids a delivery was stored for, in priority order
    // #endregion

    // #region options
    await this.publisher.fire(new OrderPlaced(orderId, 4200), {
      messageId: `order-placed-${orderId}`, // idempotency key: the same id again stores nothing new
      traceId: requestTraceId,               // e.g. from a request header (checked, see below)
      delay: 60_000,                         // runnable in a minute
    });
    // #endregion
  }

  // #region wait
  async placeAndConfirm(orderId: string): Promise<boolean> {
    const receipt = await this.publisher.fire(new OrderPlaced(orderId, 4200));
    const outcome = await receipt.wait({ timeout: 10_000 }); // MessagioTimeoutError after 10 s
    // outcome.deliveries: one DeliveryState per listener: { listener, status, attempts, error?, ... }
    return outcome.ok; // every listener completed
  }
  // #endregion

  // #region fire-many
  async import(orders: Array<{ id: string; totalCents: number }>) {
    const messages = orders.map((o) => new OrderPlaced(o.id, o.totalCents));
    const messageIds = orders.map((o) => `import-${o.id}`); // one idempotency key per message
    try {
      return await this.publisher.fireMany(messages, { messageIds });
    } catch (error) {
      if (!(error instanceof MessagioUnavailableError)) throw error;
      // Some deliveries may be stored: the same messages and messageIds again store each one once.
      return this.publisher.fireMany(messages, { messageIds });
    }
  }
  // #endregion

  // #region message-fire
  async fromAnywhere(orderId: string) {
    await new OrderPlaced(orderId, 4200).fire();             // messagio's own style
    await new OrderPlaced(orderId, 4200).fire({ delay: 500 }); // fire()'s options
  }
  // #endregion
}

// #region nested
@Injectable()
export class Billing {
  @OnMessagio(OrderPlaced)
  async invoice(order: OrderPlaced, ctx: MessagioContext) {
    // Inherits ctx.traceId; its causationId is ctx.messageId. Same through an injected publisher.
    await new InvoiceRequested(order.orderId).fire();
  }
}
// #endregion

// #region caused-by
@Injectable()
export class Shipping {
  @OnMessagio(OrderPlaced)
  async ship(order: OrderPlaced, ctx: MessagioContext) {
    // With asyncContext: false, the link to ctx is given: same traceId and headers, causationId = ctx.messageId.
    await new InvoiceRequested(order.orderId).fire({ causedBy: ctx });
  }
}
// #endregion
