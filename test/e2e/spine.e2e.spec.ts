import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  MessagioContext,
  MessagioPublisher,
  OnMessagio,
} from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';

@Injectable()
class Listeners {
  constructor(private readonly recorder: Recorder) {}

  @OnMessagio(PerformAction, 10)
  high(msg: PerformAction, ctx: MessagioContext) {
    this.recorder.record('high', msg, ctx);
  }
}

describe('spine over BullMQ', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('delivers a fired message to its listener as a real instance', async () => {
    app = await createApp({ providers: [Listeners] });
    const publisher = app.get(MessagioPublisher);
    const recorder = app.get(Recorder);
    const receipt = await publisher.fire(new PerformAction('foo', 123));
    expect(receipt.listeners).toEqual(['Listeners.high']);
    await recorder.waitFor(1);
    const [call] = recorder.calls;
    expect(call!.message).toBeInstanceOf(PerformAction);
    expect((call!.message as PerformAction).describe()).toBe('foo#123');
    expect(call!.context.messageId).toBe(receipt.messageId);
    expect(call!.context.type).toBe('orders.perform-action');
  });
});
