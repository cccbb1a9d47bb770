import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { validate, Validator } from 'class-validator';
import { MessagioContext, MessagioPublisher, MessagioValidationError, OnMessagio } from '../../lib/index.js';
import { createApp } from './fixtures/app.js';
import { Address, CustomerRegistered } from './fixtures/messages.js';
import { Recorder } from './fixtures/recorder.js';
import { TRANSPORTS } from './fixtures/transports.js';

@Injectable()
class Customers {
  constructor(private readonly recorder: Recorder) {}
  @OnMessagio(CustomerRegistered) registered(msg: CustomerRegistered, ctx: MessagioContext) {
    this.recorder.record('registered', msg, ctx);
  }
}

const customer = (city: unknown, age?: unknown) => {
  const message = new CustomerRegistered('Ada', Object.assign(new Address(), { city, zip: '22100' }), new Date('2026-01-02T03:04:05.678Z'));
  if (age !== undefined) message.age = age as number;
  return message;
};

// The compiled check settles valid messages at fire() and on the worker
// without class-validator's validate(); invalid ones still get its errors.
describe.each(TRANSPORTS)('compiled validation through %s', (transport) => {
  let app: TestingModule;
  let validatorRuns: jest.SpiedFunction<Validator['validate']>;
  beforeEach(() => {
    validatorRuns = jest.spyOn(Validator.prototype, 'validate'); // calls through: counts validate() runs
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await app?.close();
  });

  it('fires and delivers valid messages (nested class, optional property) without running validate()', async () => {
    app = await createApp({ transport, providers: [Customers] });
    await app.get(MessagioPublisher).fire(customer('Lund'));
    await app.get(MessagioPublisher).fire(customer('Malmö', 36));
    const recorder = app.get(Recorder);
    await recorder.waitFor(2);
    expect(recorder.calls.map((c) => (c.message as CustomerRegistered).address.city).sort()).toEqual(['Lund', 'Malmö']);
    expect(validatorRuns).not.toHaveBeenCalled();
  });

  it("rejects an invalid message at fire with validate()'s errors, unchanged", async () => {
    app = await createApp({ transport, providers: [Customers] });
    const bad = customer(3, -1);
    const reference = new MessagioValidationError('CustomerRegistered', await validate(bad, { forbidUnknownValues: false }));
    const error = (await app.get(MessagioPublisher).fire(bad).catch((e: unknown) => e)) as MessagioValidationError;
    expect(error).toBeInstanceOf(MessagioValidationError);
    expect(error.message).toBe(reference.message);
    expect(error.violations).toEqual(reference.violations);
    expect(error.properties.sort()).toEqual(['address.city', 'age']);
    expect(app.get(Recorder).calls).toHaveLength(0);
  });
});
