import { Injectable } from '@nestjs/common';
import { MessagioContext, MessagioPriority, OnMessagio } from 'nestjs-messagio';
import { ActionPerformed, PerformAction, TimeoutError } from './messages.js';

// #region listeners
@Injectable()
export class Listeners {
  @OnMessagio(PerformAction, 10) // a bare number is the priority: higher runs first
  high(msg: PerformAction, ctx: MessagioContext) {
    console.log(msg.actionName, ctx.attempt); // msg is a real PerformAction
  }

  @OnMessagio([PerformAction, ActionPerformed], {
    priority: MessagioPriority.LOW,
    retryOn: [TimeoutError], // only these errors are retried; any other fails the delivery at once
    maxRetries: 3,           // up to 4 attempts
    retryDelay: 500,
    backoff: 'exponential',  // waits 500, 1000, 2000 ms
  })
  many(msg: PerformAction | ActionPerformed) {
    if (msg instanceof PerformAction) console.log(msg.objId);
  }

  // Several decorators on one method: one listener (one id), each decorator's options for the types it names.
  @OnMessagio(PerformAction, { id: 'audit', priority: MessagioPriority.MORE })
  @OnMessagio(ActionPerformed, { queue: 'bulk' }) // 'bulk' must be declared in the module's `queues`
  audit(msg: PerformAction | ActionPerformed, ctx: MessagioContext) {
    console.log(ctx.type, ctx.deliveryId);
  }
}
// #endregion
