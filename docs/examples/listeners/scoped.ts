import { Inject, Injectable, Scope } from '@nestjs/common';
import { ContextIdFactory, REQUEST, type ContextId, type ContextIdStrategy, type HostComponentInfo } from '@nestjs/core';
import { MessagioContext, OnMessagio } from 'nestjs-messagio';
import { PerformAction } from './messages.js';

@Injectable()
export class TenantDb {
  async insert(table: string, row: object): Promise<void> {
    console.log(table, row);
  }
}

// #region request-scoped
@Injectable({ scope: Scope.REQUEST })
export class ActionRecorder {
  // A DI context per delivery (per attempt): MessagioContext is injectable here.
  constructor(
    private readonly context: MessagioContext,
    private readonly db: TenantDb,
  ) {}

  @OnMessagio(PerformAction)
  async record(action: PerformAction) {
    await this.db.insert('actions', { name: action.actionName, traceId: this.context.traceId });
  }
}
// #endregion

// #region durable
/** Groups durable providers by message type: the "request" it is given is the delivery's MessagioContext. */
export class ByMessageType implements ContextIdStrategy {
  private readonly roots = new Map<string, ContextId>();

  attach(contextId: ContextId, request: unknown) {
    const type = request instanceof MessagioContext ? request.type : 'none';
    const root = this.roots.get(type) ?? ContextIdFactory.create();
    this.roots.set(type, root);
    return { resolve: (info: HostComponentInfo) => (info.isTreeDurable ? root : contextId), payload: { type } };
  }
}
ContextIdFactory.apply(new ByMessageType());

@Injectable({ scope: Scope.REQUEST, durable: true })
export class PerTypeCounter {
  private count = 0;
  constructor(@Inject(REQUEST) private readonly payload: { type: string }) {}

  @OnMessagio(PerformAction)
  tally(_action: PerformAction) {
    console.log(this.payload.type, ++this.count); // one instance per message type
  }
}
// #endregion
