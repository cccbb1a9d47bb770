// 10. Validation alone, no Redis and no app: what checking the benchmark
//     message costs through the codec (its class-validator metadata compiled
//     into a check, lib/message/validation/) against what the codec did
//     before: class-validator's validate() with the module's default options
//     (and a MessagioValidationError when it finds errors). Both are awaited
//     per call, as the publisher and the dispatcher await them.
import { validate, type ValidatorOptions } from 'class-validator';
import { MessagioValidationError } from '../../lib/index.js';
import { MessagioCodec } from '../../lib/message/codec.js';
import type { BenchContext, Scenario, Trial } from '../lib/harness.js';
import { OrderPlaced, orderPayload } from '../lib/messages.js';
import { perSecond } from '../lib/stats.js';

const FULL = 200_000; // calls
const WARMUP = 5_000;
const POOL = 1_000; // distinct messages, used in turn
const OPTIONS: ValidatorOptions = { forbidUnknownValues: false }; // the module's default
const TYPE = 'bench.order-placed';

function messages(valid: boolean): OrderPlaced[] {
  return Array.from({ length: POOL }, (_, i) => {
    const message = new OrderPlaced(orderPayload(i));
    if (!valid) message.quantity = 0; // @Min(1)
    return message;
  });
}

interface Loop {
  /** Runs `n` awaited calls on the pool's messages in turn. */
  (pool: OrderPlaced[], n: number): Promise<void>;
}

/** µs per awaited call over `n` calls, after a warm-up. Each loop is its own function so that no call site is shared between trials. */
function callTrial(ctx: BenchContext, key: string, valid: boolean, loop: Loop): Trial {
  return {
    key,
    async run() {
      const pool = messages(valid);
      const n = ctx.size(FULL, 2_000);
      await loop(pool, WARMUP);
      const t0 = performance.now();
      await loop(pool, n);
      const elapsed = performance.now() - t0;
      return { 'µs/call': (elapsed * 1000) / n, 'calls/s': perSecond(n, elapsed) };
    },
  };
}

const codec = new MessagioCodec({ validate: true, validation: OPTIONS });

// The codec's check, as the publisher and the dispatcher call it.
const checkValid: Loop = async (pool, n) => {
  for (let i = 0; i < n; i++) await codec.check(pool[i % POOL]!, TYPE);
};
const checkInvalid: Loop = async (pool, n) => {
  for (let i = 0; i < n; i++) {
    const error = await codec.check(pool[i % POOL]!, TYPE).catch((e: unknown) => e);
    if (!(error instanceof MessagioValidationError)) throw new Error('the invalid benchmark message passed');
  }
};
// What the codec's check did before: validate(), and the error when there is one.
const validateValid: Loop = async (pool, n) => {
  for (let i = 0; i < n; i++) {
    const errors = await validate(pool[i % POOL]!, OPTIONS);
    if (errors.length > 0) throw new MessagioValidationError(TYPE, errors);
  }
};
const validateInvalid: Loop = async (pool, n) => {
  for (let i = 0; i < n; i++) {
    const errors = await validate(pool[i % POOL]!, OPTIONS);
    const error = errors.length > 0 ? new MessagioValidationError(TYPE, errors) : undefined;
    if (!error) throw new Error('the invalid benchmark message passed');
  }
};

export const validationScenario: Scenario = {
  id: '10',
  title: 'Validation: compiled check vs class-validator validate()',
  trials: (ctx) => [
    callTrial(ctx, 'messagio check valid', true, checkValid),
    callTrial(ctx, 'class-validator validate() valid', true, validateValid),
    callTrial(ctx, 'messagio check invalid', false, checkInvalid),
    callTrial(ctx, 'class-validator validate() invalid', false, validateInvalid),
  ],
  rows: () => [
    {
      case: 'valid message, awaited per call',
      metric: 'throughput',
      unit: 'calls/s',
      higherIsBetter: true,
      subject: { trial: 'messagio check valid', metric: 'calls/s', label: 'compiled check' },
      baseline: { trial: 'class-validator validate() valid', metric: 'calls/s', label: 'validate()' },
      target: { kind: 'ratio-at-least', value: 10 },
    },
    {
      case: 'valid message, awaited per call',
      metric: 'time per call',
      unit: 'µs',
      higherIsBetter: false,
      subject: { trial: 'messagio check valid', metric: 'µs/call', label: 'compiled check' },
      baseline: { trial: 'class-validator validate() valid', metric: 'µs/call', label: 'validate()' },
    },
    {
      case: 'invalid message (compiled check, then validate() builds the errors)',
      metric: 'time per call',
      unit: 'µs',
      higherIsBetter: false,
      subject: { trial: 'messagio check invalid', metric: 'µs/call', label: 'codec check' },
      baseline: { trial: 'class-validator validate() invalid', metric: 'µs/call', label: 'validate() + error' },
    },
  ],
};
