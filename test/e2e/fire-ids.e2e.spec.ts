import { jest } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { MessagioConfigurationError, MessagioPublisher } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Listeners } from './fixtures/listeners.js';
import { PerformAction } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS, transportOf } from './fixtures/transports.js';

describe.each(TRANSPORTS)('fire() ids (%s)', (transport) => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it.each([
    ['a newline', 'abc\n[Nest] forged line'],
    ['a carriage return', 'abc\rdef'],
    ['an escape sequence', 'abc\u001b[31m'],
    ['a space', 'abc def'],
    ['a non-ASCII character', 'trace-é'],
    ['129 characters', 't'.repeat(129)],
    ['an empty string', ''],
    ['a colon', 'a:b'],
    ['a number', 42],
  ])('a traceId or messageId with %s rejects with MessagioConfigurationError at fire; nothing is stored', async (_label, bad) => {
    app = await createApp({ transport, providers: [Listeners] });
    const publisher = app.get(MessagioPublisher);
    const enqueue = jest.spyOn(transportOf(app), 'enqueue');
    for (const option of ['traceId', 'messageId'] as const) {
      const error = await publisher.fire(new PerformAction('x', 1), { [option]: bad as string }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      expect((error as Error).message).toMatch(new RegExp(`^fire\\(\\) option ${option} must be 1 to 128 printable ASCII characters without spaces, ':' or '\\|', got `));
      // The refused value is shown escaped: the error message holds no line break either.
      expect((error as Error).message).not.toMatch(/[\r\n]/);
    }
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('accepts ids of up to 128 printable characters, such as a W3C traceparent', async () => {
    app = await createApp({ transport, providers: [Listeners] });
    const publisher = app.get(MessagioPublisher);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const receipt = await publisher.fire(new PerformAction('x', 1), { traceId: traceparent, messageId: `m${'~'.repeat(127)}` });
    expect([receipt.traceId, receipt.messageId.length]).toEqual([traceparent, 128]);
    await app.get(Recorder).waitFor(1);
    expect(app.get(Recorder).calls[0]!.context.traceId).toBe(traceparent);
  });
});
