import { Test, type TestingModule } from '@nestjs/testing';
import { MessagioModule, MessagioValidationError } from 'nestjs-messagio';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import 'nestjs-messagio/testing/jest';
import { AppModule } from '../../docs/examples/quick-start/app.module.js';
import { Mailer } from '../../docs/examples/quick-start/mailer.js';
import { OrderPlaced } from '../../docs/examples/quick-start/order-placed.message.js';
import { OrdersService } from '../../docs/examples/quick-start/orders.service.js';

// The README's quick start, run: its AppModule, unchanged, with the BullMQ part
// swapped for the test harness. The samples import the package by its public
// names (the built dist/ here), as an app does.
describe('README quick start', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;
  const sent: string[] = [];

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(MessagioModule)
      .useModule(MessagioTestingModule.forRoot())
      .compile();
    await app.init();
    harness = app.get(MessagioTestHarness);
    const mailer = app.get(Mailer);
    const send = mailer.send.bind(mailer);
    mailer.send = async (to, text) => {
      sent.push(`${to}: ${text}`);
      return send(to, text);
    };
  });
  afterAll(() => app.close());

  it('delivers a placed order to EmailListener.confirm, a real OrderPlaced', async () => {
    const messageId = await app.get(OrdersService).place('A-1', 4200);
    expect(await harness.drain()).toMatchObject({ completed: 1, failed: 0 });
    expect(harness).toHaveHandled(OrderPlaced, 'EmailListener.confirm');
    expect(harness.handled(OrderPlaced)[0]!.message).toBeInstanceOf(OrderPlaced);
    expect(sent).toEqual([`orders@example.com: Order A-1 (${messageId}|EmailListener.confirm, attempt 1)`]);
  });

  it('refuses an invalid order at fire, storing nothing', async () => {
    await expect(app.get(OrdersService).place('A-2', 0)).rejects.toBeInstanceOf(MessagioValidationError);
    expect(harness.pending()).toBe(0);
  });
});
