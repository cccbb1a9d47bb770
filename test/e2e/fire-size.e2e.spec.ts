import type { TestingModule } from '@nestjs/testing';
import { MessagioPayloadTooLargeError, MessagioPublisher } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Listeners } from './fixtures/listeners.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';
import { eventually } from '../support/redis.js';

// Issue 14: a flat payload is measured against maxPayloadBytes by a bound of
// its size, and serialised only when the bound is over the limit. Around the
// limit the answer is the exact one, on each path of fire().

describe.each(TRANSPORTS)('maxPayloadBytes at the limit (%s)', (transport) => {
  let app: TestingModule;

  afterEach(async () => app?.close());

  // {"actionName":"…","objId":1}: 27 bytes around the name.
  const sized = (bytes: number) => new PerformAction('é'.repeat((bytes - 27) / 2), 1);

  it.each([false, true])('accepts a payload of exactly maxPayloadBytes, refuses one byte more (sync: %s)', async (sync) => {
    app = await createApp({ transport, providers: [Listeners], maxPayloadBytes: 1027 });
    const publisher = app.get(MessagioPublisher);
    expect(Buffer.byteLength(JSON.stringify({ ...sized(1027) }))).toBe(1027);
    await publisher.fire(sized(1027), { sync });
    const over = new PerformAction(`${'é'.repeat(500)}x`, 1); // 1028 bytes
    const error = (await publisher.fire(over, { sync }).catch((e: unknown) => e)) as MessagioPayloadTooLargeError;
    expect(error).toBeInstanceOf(MessagioPayloadTooLargeError);
    expect(error.bytes).toBe(1028);
    await eventually(async () => app.get(Recorder).of('run').length === 1, 10_000, 'the accepted message to be delivered');
    expect(app.get(Recorder).of('run')[0]!.message).toMatchObject({ actionName: 'é'.repeat(500) });
  });
});
