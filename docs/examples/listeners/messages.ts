import { IsInt, IsString } from 'class-validator';
import { Messagio, MessagioType } from 'nestjs-messagio';

// The messages of this page's samples.
@MessagioType('orders.perform-action')
export class PerformAction extends Messagio {
  @IsString() actionName: string;
  @IsInt() objId: number;
  constructor(actionName: string, objId: number) {
    super();
    this.actionName = actionName;
    this.objId = objId;
  }
}

@MessagioType('orders.action-performed')
export class ActionPerformed extends Messagio {
  @IsString() actionName: string;
  constructor(actionName: string) {
    super();
    this.actionName = actionName;
  }
}

/** An error of your own, which a listener may be retried for. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}
