import { Injectable } from '@nestjs/common';
import { MessagioAdmin } from 'nestjs-messagio';

@Injectable()
export class Operations {
  constructor(private readonly admin: MessagioAdmin) {}

  async examples(messageId: string) {
    const admin = this.admin;
    // #region admin
    await admin.status(messageId); // [{ listener, status: 'queued'|'delayed'|'running'|'completed'|'failed', attempts, error, ... }]
    await admin.failed({ type: 'orders.perform-action', listener: 'Mailer.send', limit: 50 }); // newest first
    await admin.retry({ messageId, listener: 'Mailer.send' }); // exactly that delivery, fresh retry budget
    await admin.retry({ messageId });                          // that message's failed deliveries
    await admin.retry({ listener: 'Mailer.send' });            // every failed delivery of a listener (or { type }), each once,
                                                               // all of them (a page at a time; failed()'s limit is for listing)
    await admin.counts(); // { queued, delayed, running, completed, failed }
    // #endregion
  }
}
