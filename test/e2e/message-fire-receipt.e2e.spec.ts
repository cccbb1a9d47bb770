import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { MessagioPublisher, MessagioReceipt, OnMessagio, type MessagioOutcome } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { TRANSPORTS } from './fixtures/transports.js';

class Refused extends Error {}

@Injectable()
class Mixed {
  @OnMessagio(PerformAction, { id: 'ok', priority: 9 }) ok() {}
  @OnMessagio(PerformAction, { id: 'refuses', priority: 1 }) refuses() {
    throw new Refused('no');
  }
}

// `message.fire()` is documented as the same as `publisher.fire()`: both
// resolve to a MessagioReceipt, whose wait() reads each delivery's final state.
// (Before, message.fire() was typed FireReceipt: `.wait()` did not compile.)
describe.each(TRANSPORTS)('message.fire() resolves to a MessagioReceipt (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('(await msg.fire()).wait() waits for every listener, like the publisher’s receipt', async () => {
    app = await createApp({ transport, providers: [Mixed] });
    const outcome: MessagioOutcome = await (await new PerformAction('own', 1).fire()).wait({ timeout: 10_000 });
    expect(outcome.ok).toBe(false);
    expect(outcome.deliveries.map((d) => [d.listener, d.status])).toEqual([
      ['ok', 'completed'],
      ['refuses', 'failed'],
    ]);
    expect(outcome.deliveries[1]!.error).toBe('Error: no');

    const fromMessage: MessagioReceipt = await new PerformAction('same', 2).fire();
    const fromPublisher: MessagioReceipt = await app.get(MessagioPublisher).fire(new PerformAction('same', 3));
    expect(fromMessage).toBeInstanceOf(MessagioReceipt);
    expect(Object.keys(fromMessage)).toEqual(Object.keys(fromPublisher));
    expect((await fromMessage.wait({ timeout: 10_000 })).deliveries).toHaveLength(2);
  });
});
