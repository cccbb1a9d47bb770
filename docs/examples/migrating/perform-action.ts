import { Injectable } from '@nestjs/common';
import { IsInt, IsString } from 'class-validator';
import { Messagio, MessagioPriority, OnMessagio } from 'nestjs-messagio';

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

// #region message
export class PerformAction extends Messagio {
  @IsString() actionName: string;
  @IsInt() objId: number;
  constructor(actionName: string, objId: number) {
    super();
    this.actionName = actionName;
    this.objId = objId;
  }
}

@Injectable()
export class ActionListeners {
  @OnMessagio(PerformAction, { priority: MessagioPriority.HIGH, retryOn: [TimeoutError], maxRetries: 3, retryDelay: 5000 })
  perform(action: PerformAction) {
    console.log(action.actionName, action.objId);
  }
}

export async function somewhere() {
  await new PerformAction('foo', 1).fire();
  await new PerformAction('bar', 2).fire({ sync: true });
}
// #endregion
