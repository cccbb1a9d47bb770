// The startup report: at bootstrap, one line per problem of an app's messages; `strict` makes
// them a bootstrap error, before anything is consumed.
//
// Every class declared with @MessagioType in this process is known to every app (a class an app
// only fires is known so): the clean app's classes are declared at the top, and each later test
// declares its own classes inside its body, when it runs. Tests run in file order.
import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  Messagio,
  MessagioConfigurationError,
  MessagioFault,
  MessagioPublisher,
  MessagioStartupReportError,
  MessagioType,
  OnMessagio,
} from '../../lib/index.js';
import { queueOf } from '../support/jobs.js';
import { uniqueQueue } from '../support/redis.js';
import { createApp } from './fixtures/app.js';

@MessagioType('report.tidy', { version: 1 })
class Tidy extends Messagio {
  @IsString() id = 'x';
}

@Injectable()
class TidyListener {
  @OnMessagio(Tidy, { id: 'tidy' }) on(): void {}
  @OnMessagio(MessagioFault, { id: 'faults' }) fault(): void {}
}

/** The startup report's lines logged while `run` runs. */
async function reportLines(run: () => Promise<unknown>): Promise<string[]> {
  const warn = jest.spyOn(Logger.prototype, 'warn');
  try {
    await run();
    return warn.mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('Startup report: '));
  } finally {
    warn.mockRestore();
  }
}

describe('startup report', () => {
  let app: TestingModule | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('says nothing of an app whose types are versioned, handled, and whose listeners keep to one queue', async () => {
    const lines = await reportLines(async () => (app = await createApp({ transport: 'memory', providers: [TidyListener] })));
    expect(lines).toEqual([]);
  });

  it('logs one line per problem: a known type nobody here handles, a listened type without a version, a listener id on several queues', async () => {
    @MessagioType('report.unheard', { version: 1 })
    class Unheard extends Messagio {}
    /** Declared with @MessagioType, fired here, listened to by nobody. */
    @MessagioType('report.outbound', { version: 1 })
    class Outbound extends Messagio {}
    /** Listed in `messages`, listened to by nobody. */
    @MessagioType('report.named-in-messages', { version: 1 })
    class NamedInMessages extends Messagio {}
    @MessagioType('report.loose')
    class Loose extends Messagio {}
    class Nameless extends Messagio {}
    @Injectable()
    class Listeners {
      @OnMessagio([Loose, Nameless], { id: 'loose' }) loose(): void {}
      @OnMessagio([Tidy, Unheard], { id: 'split', priority: 1 }) split(): void {}
    }
    const lines = await reportLines(
      async () =>
        (app = await createApp({
          transport: 'memory',
          queues: { critical: {} },
          routes: { 'report.unheard': 'critical' },
          messages: [NamedInMessages],
          providers: [TidyListener, Listeners],
        })),
    );
    expect(Outbound).toBeDefined();
    expect(lines).toEqual([
      expect.stringMatching(/^Startup report: no listener of this app handles message type "report\.named-in-messages" \(class NamedInMessages, listed in `messages`\)/),
      'Startup report: no listener of this app handles message type "report.outbound" (class Outbound, declared with @MessagioType): what this app fires of it reaches no one. Subscribe a listener, or stop declaring it here.',
      `Startup report: message type "report.loose" (class Loose), handled by listener "loose", has no version: declare it with @MessagioType('report.loose', { version: 1 }), so that a breaking change to it becomes a version bump with an upcaster.`,
      expect.stringMatching(/^Startup report: message type "Nameless" \(class Nameless\), handled by listener "loose", has no version/),
      expect.stringMatching(
        /^Startup report: listener "split" takes deliveries from 2 queues \("q-[0-9a-f]+": report\.tidy; "critical": report\.unheard\): one id on several queues/,
      ),
    ]);
  });

  it('does not count types without a listener in a publish-only process (worker: false): another process consumes', async () => {
    const lines = await reportLines(async () => (app = await createApp({ transport: 'memory', worker: false, providers: [TidyListener] })));
    expect(lines.filter((l) => l.includes('no listener of this app handles'))).toEqual([]);
  });

  it('strict: bootstrap fails with every problem, before anything is consumed', async () => {
    @MessagioType('report.strict')
    class StrictLoose extends Messagio {
      @IsString() id = 'x';
    }
    @Injectable()
    class StrictListener {
      calls = 0;
      @OnMessagio(StrictLoose, { id: 'strict-loose' }) on(): void {
        this.calls++;
      }
    }
    const queueName = uniqueQueue('report');
    // Another process stores a delivery for the strict app's listener first.
    const producer = await createApp({ queueName, worker: false, providers: [StrictListener], startupReport: 'off' });
    const receipt = await producer.get(MessagioPublisher).fire(new StrictLoose());
    try {
      const error = await createApp({ queueName, providers: [StrictListener], startupReport: 'strict' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagioStartupReportError);
      expect(error).toBeInstanceOf(MessagioConfigurationError);
      const { problems } = error as MessagioStartupReportError;
      expect(problems).toContainEqual(expect.stringMatching(/^message type "report\.strict" \(class StrictLoose\), handled by listener "strict-loose", has no version/));
      expect((error as Error).message).toMatch(/^The startup report found \d+ problems \(startupReport: 'strict'\):\n- /);
      // The delivery is still waiting: the strict app never consumed.
      await new Promise((r) => setTimeout(r, 300));
      expect(await queueOf(producer).getJobState(`${receipt.messageId}|strict-loose`)).toBe('waiting');
    } finally {
      await producer.close();
    }
  });

  it('off: says nothing', async () => {
    @MessagioType('report.quiet')
    class Quiet extends Messagio {}
    @Injectable()
    class QuietListener {
      @OnMessagio(Quiet, { id: 'quiet' }) on(): void {}
    }
    const lines = await reportLines(async () => (app = await createApp({ transport: 'memory', providers: [QuietListener], startupReport: 'off' })));
    expect(lines).toEqual([]);
  });

  it('refuses a mode it does not know, and a `messages` entry that is not a message class', async () => {
    await expect(createApp({ transport: 'memory', startupReport: 'loud' as never })).rejects.toThrow(
      "startupReport must be 'warn', 'strict' or 'off', got \"loud\".",
    );
    await expect(createApp({ transport: 'memory', messages: [class NotAMessage {}] as never })).rejects.toThrow(
      'messages must be an array of message classes (each extending Messagio).',
    );
  });
});
