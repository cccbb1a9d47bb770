import { Injectable } from '@nestjs/common';
import { IsEmail } from 'class-validator';
import { Messagio, MessagioModule, MessagioType, OnMessagio } from 'nestjs-messagio';

@MessagioType('accounts.password-reset')
export class PasswordReset extends Messagio {
  @IsEmail() email: string;
  constructor(email: string) {
    super();
    this.email = email;
  }
}

// #region module
MessagioModule.forRoot({
  connection: { host: 'localhost', port: 6379 },
  queues: {
    critical: { concurrency: 8 },                                   // workers of this queue run 8 at once
    bulk: { concurrency: 2, limiter: { max: 50, duration: 1000 } }, // and at most 50 jobs a second
  },
  routes: { 'billing.*': 'critical', 'reports.?aily': 'bulk' },     // wire name globs, first match wins
  workers: process.env.ROLE === 'critical' ? ['critical'] : undefined, // queues this process consumes (default: all)
});
// #endregion

// #region listener
@Injectable()
export class Mailer {
  @OnMessagio(PasswordReset, { queue: 'critical' }) // a listener's own queue beats the routes
  send(reset: PasswordReset) {
    console.log(reset.email);
  }
}
// #endregion
