// One import registers the matchers and their types.
import '../../lib/testing/jest.js';
import { expect as globalsExpect } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { MessagioPublisher } from '../../lib/index.js';
import { MessagioTestHarness, messagioMatchers } from '../../lib/testing/index.js';
import { FatalError, OrderArchived, OrderListeners, OrderPlaced, OrderShipped, ShippingListeners, TransientError, testingApp } from './fixtures.js';

describe('Jest matchers', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;

  beforeAll(async () => {
    app = await testingApp([OrderListeners, ShippingListeners]);
    harness = app.get(MessagioTestHarness);
  });
  afterEach(() => harness.reset());
  afterAll(async () => app.close());

  it('toHaveFired(Type, partial?) matches rebuilt messages, with asymmetric matchers', async () => {
    await app.get(MessagioPublisher).fire(new OrderPlaced('M-1', 4));
    expect(harness).toHaveFired(OrderPlaced);
    expect(harness).toHaveFired(OrderPlaced, { orderId: 'M-1' });
    expect(harness).toHaveFired(OrderPlaced, { orderId: expect.stringMatching(/^M-/), quantity: 4 });
    expect(harness).not.toHaveFired(OrderPlaced, { quantity: 5 });
    expect(harness).not.toHaveFired(OrderShipped);
    await harness.drain();
    expect(harness).toHaveFired(OrderShipped, { orderId: 'M-1' });
  });

  it('toHaveHandled(Type, listenerId?) and toHaveFailed(Type?, listenerId?, error?)', async () => {
    harness.failNext('archive', 1, new FatalError('disk full'));
    harness.failNext('billing', 1, new TransientError('slow'));
    await app.get(MessagioPublisher).fire(new OrderPlaced('M-2'));
    expect(harness).not.toHaveHandled(OrderPlaced);
    await harness.drain();
    expect(harness).toHaveHandled(OrderPlaced);
    expect(harness).toHaveHandled(OrderPlaced, 'billing'); // after a retry
    expect(harness).toHaveHandled(OrderShipped, 'notify');
    expect(harness).not.toHaveHandled(OrderArchived, 'archive');
    expect(harness).toHaveFailed();
    expect(harness).toHaveFailed(OrderArchived);
    expect(harness).toHaveFailed(OrderArchived, 'archive', FatalError);
    expect(harness).toHaveFailed(OrderArchived, 'archive', 'disk');
    expect(harness).toHaveFailed(OrderArchived, 'archive', /^FatalError: disk full$/);
    expect(harness).toHaveFailed(OrderArchived, undefined, { name: 'FatalError', message: expect.stringContaining('full') });
    expect(harness).not.toHaveFailed(OrderArchived, 'archive', TransientError);
    expect(harness).not.toHaveFailed(OrderPlaced);
  });

  it('says what was fired or delivered when an expectation fails', async () => {
    await app.get(MessagioPublisher).fire(new OrderPlaced('M-3'));
    expect(() => expect(harness).toHaveFired(OrderPlaced, { orderId: 'other' })).toThrow(
      /expected OrderPlaced matching[\s\S]*"other"[\s\S]*to have been fired\.\nFired OrderPlaced \(1\):\n.*"M-3"/,
    );
    expect(() => expect(harness).toHaveFired(OrderArchived)).toThrow(/Fired instead: test\.order-placed\./);
    expect(() => expect(harness).toHaveHandled(OrderPlaced, 'stock')).toThrow(/stock on test\.order-placed: queued after 0 attempt\(s\)/);
    expect(() => expect(harness).not.toHaveFired(OrderPlaced)).toThrow(/expected no OrderPlaced to have been fired, but one was/);
    await harness.drain();
    expect(() => expect(harness).toHaveFailed(OrderPlaced, 'stock')).toThrow(/stock on test\.order-placed: completed after 1 attempt\(s\)/);
    harness.reset();
    expect(() => expect(harness).toHaveFired(OrderPlaced)).toThrow(/Nothing was fired\./);
  });

  it('are typed for both expect flavours (@types/jest globals and @jest/globals)', async () => {
    await app.get(MessagioPublisher).fire(new OrderPlaced('M-4', 2));
    globalsExpect(harness).toHaveFired(OrderPlaced, { orderId: 'M-4', quantity: 2 });
    globalsExpect(harness).not.toHaveHandled(OrderPlaced, 'stock');
    // @ts-expect-error -- OrderPlaced has no property "nope"
    expect(harness).not.toHaveFired(OrderPlaced, { nope: 1 });
    // @ts-expect-error -- a message class is required
    globalsExpect(harness).not.toHaveFired(Date);
  });

  it('refuses anything but a harness', () => {
    expect(() => expect(app).toHaveFired(OrderPlaced)).toThrow(/toHaveFired\(\) expects a MessagioTestHarness/);
  });

  it('are plain functions too, for expect.extend() without the side-effect import', () => {
    expect(Object.keys(messagioMatchers).sort()).toEqual(['toHaveFailed', 'toHaveFired', 'toHaveHandled']);
  });
});
