import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsInt, IsString, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { Messagio, MessagioContext, MessagioPublisher, MessagioValidationError, OnMessagio } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Recorder } from './fixtures/recorder.js';

// Issue 14: a sync fire of a message the compiled check settles goes to its
// listeners with no await before them; one only class-validator's validate()
// can decide (an async constraint) is awaited first. Either way: valid runs the
// listeners, invalid rejects with MessagioValidationError and runs none.

class Counted extends Messagio {
  @IsString() name!: string;
  @IsInt() n!: number;

  constructor(name: unknown, n: unknown) {
    super();
    this.name = name as string;
    this.n = n as number;
  }
}

@ValidatorConstraint({ name: 'knownRef', async: true })
class KnownRef implements ValidatorConstraintInterface {
  async validate(value: unknown): Promise<boolean> {
    return value === 'known';
  }
}

class Referenced extends Messagio {
  @Validate(KnownRef) ref!: string;

  constructor(ref: string) {
    super();
    this.ref = ref;
  }
}

@Injectable()
class Both {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(Counted) counted(msg: Counted, ctx: MessagioContext) {
    this.recorder.record('counted', msg, ctx);
  }
  @OnMessagio(Referenced) referenced(msg: Referenced, ctx: MessagioContext) {
    this.recorder.record('referenced', msg, ctx);
  }
}

describe('validation of a sync fire', () => {
  let app: TestingModule;
  afterEach(async () => app?.close());

  it('runs the listeners of a valid message and rejects an invalid one, on the compiled path and on validate()', async () => {
    app = await createApp({ transport: 'memory', providers: [Both] });
    const publisher = app.get(MessagioPublisher);
    const recorder = app.get(Recorder);

    const ok = await publisher.fire(new Counted('a', 1), { sync: true });
    expect(recorder.of('counted').map((c) => c.context.messageId)).toEqual([ok.messageId]);
    await expect(publisher.fire(new Counted(2, 'x'), { sync: true })).rejects.toBeInstanceOf(MessagioValidationError);

    const known = await publisher.fire(new Referenced('known'), { sync: true });
    expect(recorder.of('referenced').map((c) => c.context.messageId)).toEqual([known.messageId]);
    const error = (await publisher.fire(new Referenced('other'), { sync: true }).catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.properties).toEqual(['ref']);

    expect(recorder.calls).toHaveLength(2);
  });

  it('a sync fire inside a listener takes its causation and trace from the delivery, on the compiled path', async () => {
    @Injectable()
    class Chain {
      constructor(private readonly recorder: Recorder) {}
      @OnMessagio(Referenced) async first(_msg: Referenced, ctx: MessagioContext) {
        this.recorder.record('first', _msg, ctx);
        await new Counted('nested', 2).fire({ sync: true });
      }
      @OnMessagio(Counted) second(msg: Counted, ctx: MessagioContext) {
        this.recorder.record('second', msg, ctx);
      }
    }
    app = await createApp({ transport: 'memory', providers: [Chain] });
    const root = await app.get(MessagioPublisher).fire(new Referenced('known'), { sync: true });
    const [second] = app.get(Recorder).of('second');
    expect(second!.context.causationId).toBe(root.messageId);
    expect(second!.context.traceId).toBe(root.traceId);
  });
});
