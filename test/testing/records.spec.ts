import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Messagio, MessagioContext, MessagioPublisher, MessagioType, OnMessagio } from '../../lib/index.js';
import { MessagioTestHarness } from '../../lib/testing/index.js';
import { Journal, testingApp } from './fixtures.js';

@MessagioType('test.user-signed-up')
class UserSignedUp extends Messagio {
  @IsString() email: string;
  constructor(p: { email: string }) {
    super();
    this.email = p.email;
  }
  domain(): string {
    return this.email.split('@')[1]!;
  }
}

@Injectable()
class Welcome {
  constructor(private readonly journal: Journal) {}
  @OnMessagio(UserSignedUp, { id: 'welcome' })
  welcome(message: UserSignedUp, ctx: MessagioContext) {
    this.journal.note(ctx, message, UserSignedUp);
  }
}

describe('harness records', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('rebuild a message as a worker does: without calling a constructor that needs arguments', async () => {
    app = await testingApp([Welcome]);
    const harness = app.get(MessagioTestHarness);
    await app.get(MessagioPublisher).fire(new UserSignedUp({ email: 'ada@example.com' }));
    const [record] = harness.fired(UserSignedUp);
    expect(record!.message).toBeInstanceOf(UserSignedUp);
    expect(record!.message.domain()).toBe('example.com');
    await harness.drain();
    const [delivery] = harness.handled(UserSignedUp, 'welcome');
    expect(delivery!.message.email).toBe('ada@example.com');
    expect(app.get(Journal).of('welcome')).toHaveLength(1);
  });
});
