import { IsInt } from 'class-validator';
import { MessagioDispatcher } from '../../lib/delivery/dispatcher.js';
import { MessagioObservers } from '../../lib/delivery/messagio-observer.js';
import { currentMessagioContext } from '../../lib/message/messagio-context.js';
import { ListenerRegistry } from '../../lib/listeners/listener.registry.js';
import { resolveListenerOptions } from '../../lib/listeners/listener-options.js';
import { MessageTypesRegistry } from '../../lib/message/message-types.registry.js';
import { resolvePipelineOptions as resolveMessagioOptions } from '../../lib/messagio-options.js';
import { Messagio, MessagioContext, MessagioEnvelopeError, MessagioValidationError } from '../../lib/index.js';

class Count extends Messagio {
  @IsInt() n!: number;
}
class Other extends Messagio {}
class Retryable extends Error {}

function setup(handler: (m: Messagio, c: MessagioContext) => unknown) {
  const types = new MessageTypesRegistry();
  const listeners = new ListenerRegistry(types);
  listeners.add({ id: 'L', source: 'L', handler }, [
    { cls: Count, options: resolveListenerOptions('L', { retryOn: [Retryable], maxRetries: 2, retryDelay: 10, backoff: 'exponential' }) },
  ]);
  types.register(Other);
  return new MessagioDispatcher(types, listeners, new MessagioObservers(), resolveMessagioOptions({}));
}

const envelope = (over: Record<string, unknown> = {}) => ({
  v: 1, type: 'Count', id: 'm1', traceId: 't1', causationId: 'c0', firedAt: '2026-01-01T00:00:00.000Z', listener: 'L', payload: { n: 1 }, ...over,
});

describe('MessagioDispatcher', () => {
  it('completes, running the listener inside its context', async () => {
    let inside: MessagioContext | undefined;
    const dispatcher = setup(() => {
      inside = currentMessagioContext();
    });
    const outcome = await dispatcher.dispatch(envelope(), { attempt: 2, transport: 'test' });
    expect(outcome.status).toBe('completed');
    expect(inside).toMatchObject({ messageId: 'm1', traceId: 't1', causationId: 'c0', attempt: 2, maxAttempts: 3, deliveryId: 'm1|L', transport: 'test' });
    expect(currentMessagioContext()).toBeUndefined();
  });

  it('asks for a retry with the backoff delay, then fails when attempts are spent', async () => {
    const dispatcher = setup(() => {
      throw new Retryable('again');
    });
    expect(await dispatcher.dispatch(envelope(), { attempt: 1, transport: 't' })).toMatchObject({ status: 'retry', delay: 10 });
    expect(await dispatcher.dispatch(envelope(), { attempt: 2, transport: 't' })).toMatchObject({ status: 'retry', delay: 20 });
    expect(await dispatcher.dispatch(envelope(), { attempt: 3, transport: 't' })).toMatchObject({ status: 'failed', poison: false });
  });

  it.each([
    ['its own listener', envelope()],
    ['a listener unknown here', envelope({ listener: 'Ghost', type: 'Nope' })],
  ])('an attempt the transport refused (stalled too often) fails for good without running %s, and reaches the fault hook', async (_what, raw) => {
    let ran = false;
    const dispatcher = setup(() => {
      ran = true;
    });
    const refused = new Error('job stalled more than allowable limit');
    const reported: unknown[] = [];
    const outcome = await dispatcher.dispatch(raw, { attempt: 3, transport: 't', refused }, async (o, attempt, data) => {
      reported.push([o.error, o.poison, attempt.attempt, data]);
    });
    expect(outcome).toMatchObject({ status: 'failed', poison: false, error: refused, envelope: raw });
    expect(reported).toEqual([[refused, false, 3, raw]]);
    expect(ran).toBe(false);
  });

  it('fails at once for an error outside retryOn, wrapping non-Error throws', async () => {
    const dispatcher = setup(() => {
      throw { code: 42 };
    });
    const outcome = await dispatcher.dispatch(envelope(), { attempt: 1, transport: 't' });
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error.message).toBe('Listener threw a non-Error value: {"code":42}');
  });

  it.each([
    ['garbage', 'garbage', 'malformed'],
    ['unknown type', envelope({ type: 'Nope' }), 'unknown-type'],
    ['unknown listener', envelope({ listener: 'Ghost' }), 'unknown-listener'],
    ['listener of another type', envelope({ type: 'Other' }), 'listener-type-mismatch'],
  ])('turns %s into a poison failure', async (_label, raw, problem) => {
    const dispatcher = setup(() => undefined);
    const outcome = await dispatcher.dispatch(raw, { attempt: 1, transport: 't' });
    expect(outcome).toMatchObject({ status: 'failed', poison: true });
    const error = (outcome as unknown as { error: MessagioEnvelopeError }).error;
    expect(error).toBeInstanceOf(MessagioEnvelopeError);
    expect(error.problem).toBe(problem);
  });

  it('turns an invalid payload into a poison failure before the listener runs', async () => {
    let ran = false;
    const dispatcher = setup(() => {
      ran = true;
    });
    const outcome = await dispatcher.dispatch(envelope({ payload: { n: 'x' } }), { attempt: 1, transport: 't' });
    expect(outcome).toMatchObject({ status: 'failed', poison: true });
    expect((outcome as { error: Error }).error).toBeInstanceOf(MessagioValidationError);
    expect(ran).toBe(false);
  });
});
