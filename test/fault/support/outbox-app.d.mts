import type { INestApplicationContext } from '@nestjs/common';
import type { Messagio, MessagioModuleOptions } from '../../../lib/index.js';
import type { MessagioOutboxOptions } from '../../../lib/outbox/index.js';

export declare class OrderPlaced extends Messagio {
  order: string;
  constructor(order: string);
}
export declare class EffectListener {}
export declare function createOutboxApp(messagio: MessagioModuleOptions, outbox: MessagioOutboxOptions): Promise<INestApplicationContext>;
