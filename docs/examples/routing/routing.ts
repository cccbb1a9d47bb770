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

// #region limits
@Injectable()
export class Notifications {
  // Only this listener is held to the mail provider's quota: its own queue carries the limits.
  @OnMessagio(PasswordReset, { queue: 'mail' })
  mail(reset: PasswordReset) {
    console.log(`mail ${reset.email}`);
  }

  // Another listener of the same message, on the default queue: never held back by the mail quota.
  @OnMessagio(PasswordReset)
  audit(reset: PasswordReset) {
    console.log(`audit ${reset.email}`);
  }
}

MessagioModule.forRoot({
  connection: { host: 'localhost', port: 6379 },
  queues: {
    // At most 5 starts a second across every process, at most 2 running at once across every
    // process, and 2 at once in this one.
    mail: { limiter: { max: 5, duration: 1000 }, globalConcurrency: 2, concurrency: 2 },
  },
});
// #endregion
