import { Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, InjectBullBoard, type BullBoardInstance } from '@bull-board/nestjs';
import { BullMqTransport, MESSAGIO_TRANSPORT, type MessagioModuleOptions, type MessagioTransport } from '../../lib/index.js';
import { AppModule } from '../app.module.js';
import type { SampleDatabase } from '../database/choose-database.js';
import { RefundListener } from './refund.listener.js';

/**
 * Puts every messagio queue on the board. With one queue,
 * `BullBoardModule.forFeature({ name: MESSAGIO_QUEUE, adapter: BullMQAdapter })`
 * does the same; this also covers the named queues of the `queues` option,
 * which the BullMQ transport creates itself.
 */
@Injectable()
class MessagioQueuesOnBoard implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    @Inject(MESSAGIO_TRANSPORT) private readonly transport: MessagioTransport,
  ) {}

  onModuleInit(): void {
    if (!(this.transport instanceof BullMqTransport)) return;
    for (const queue of this.transport.queues.values()) this.board.addQueue(new BullMQAdapter(queue));
  }
}

/**
 * The orders app as an HTTP app, with bull-board mounted at /queues
 * (`npm run sample -- --dashboard`). AppModule itself is unchanged.
 */
@Module({})
export class DashboardAppModule {
  static forRoot(messagio: MessagioModuleOptions, database: Pick<SampleDatabase, 'pool' | 'schema'>): DynamicModule {
    return {
      module: DashboardAppModule,
      imports: [AppModule.forRoot(messagio, database), BullBoardModule.forRoot({ route: '/queues', adapter: ExpressAdapter })],
      providers: [MessagioQueuesOnBoard, RefundListener],
    };
  }
}
