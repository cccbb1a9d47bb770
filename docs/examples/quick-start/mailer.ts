import { Injectable } from '@nestjs/common';

/** Your own code: what the quick start's listener calls. */
export class MailTimeoutError extends Error {
  override name = 'MailTimeoutError';
}

@Injectable()
export class Mailer {
  async send(to: string, text: string): Promise<void> {
    if (to === '' || text === '') throw new MailTimeoutError('nothing to send');
  }
}
