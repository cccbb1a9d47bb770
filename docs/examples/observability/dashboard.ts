import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, InjectBullBoard, type BullBoardInstance } from '@bull-board/nestjs';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { BullMqTransport, MESSAGIO_QUEUE, MESSAGIO_TRANSPORT, MessagioModule, type MessagioTransport } from 'nestjs-messagio';

declare const connection: { host: string; port: number };

// #region board
@Module({
  imports: [
    MessagioModule.forRoot({ connection }),
    BullBoardModule.forRoot({ route: '/queues', adapter: ExpressAdapter }), // `middleware`: put auth in front of it
    BullBoardModule.forFeature({ name: MESSAGIO_QUEUE, adapter: BullMQAdapter }),
  ],
})
export class AppModule {}
// #endregion

// #region named-queues
/** Puts every messagio queue on the board, the named queues of the `queues` option included. */
@Injectable()
export class MessagioQueuesOnBoard implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    @Inject(MESSAGIO_TRANSPORT) private readonly transport: MessagioTransport,
  ) {}

  onModuleInit(): void {
    if (!(this.transport instanceof BullMqTransport)) return;
    for (const queue of this.transport.queues.values()) this.board.addQueue(new BullMQAdapter(queue));
  }
}
// #endregion
