import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MessageCenter, type MessagioContext } from 'nestjs-messagio';
import { ActionPerformed, PerformAction } from './messages.js';

@Injectable()
export class AuditTrail implements OnModuleInit {
  private off: (() => void) | undefined;
  constructor(private readonly messageCenter: MessageCenter) {}

  onModuleInit() {
    // #region subscribe
    const off = this.messageCenter.subscribe(
      [PerformAction, ActionPerformed],
      (msg: PerformAction | ActionPerformed, ctx: MessagioContext) => console.log(ctx.type, msg.actionName),
      { id: 'audit-trail', priority: 9, maxRetries: 2 }, // an id is required; the other options are @OnMessagio's
    );
    // #endregion
    this.off = off;
  }

  stop() {
    // #region unsubscribe
    this.messageCenter.unsubscribe(PerformAction, 'audit-trail'); // from one type (false if it was not subscribed)
    this.off?.();                                            // from all
    // #endregion
  }
}
