// The README's "Testing your app" recipe, as a user writes it: AppModule unchanged,
// its MessagioModule swapped for MessagioTestingModule; no Redis.
import { Test, type TestingModule } from '@nestjs/testing';
import { MessagioModule } from 'nestjs-messagio';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import 'nestjs-messagio/testing/jest'; // toHaveFired, toHaveHandled, toHaveFailed
import { AppModule } from './app.module';
import { CardDeclinedError } from './card-declined.error';
import { ConfirmationListener } from './confirmation.listener';
import { OrderPlaced } from './order-placed.message';
import { OrdersService } from './orders.service';
import { packageFrames, packageSources, sourceLine } from './package-sources';

let app: TestingModule;
let harness: MessagioTestHarness;

beforeAll(async () => {
  app = await Test.createTestingModule({ imports: [AppModule] })
    .overrideModule(MessagioModule)
    .useModule(MessagioTestingModule.forRoot())
    .compile();
  await app.init();
  harness = app.get(MessagioTestHarness);
});
afterEach(() => harness.reset());
afterAll(() => app.close());

it('runs the listener through the harness', async () => {
  await app.get(OrdersService).place('A-1', 2);
  await harness.drain();
  expect(harness).toHaveFired(OrderPlaced, { orderId: 'A-1', quantity: 2 });
  expect(harness).toHaveHandled(OrderPlaced, 'confirmation');
  expect(app.get(ConfirmationListener).confirmed).toEqual(['A-1 x2 (test)']);
});

it('records a failing listener', async () => {
  await app.get(OrdersService).place('declined', 1);
  await harness.drain();
  expect(harness).toHaveFailed(OrderPlaced, 'confirmation', CardDeclinedError);
  expect(harness).not.toHaveHandled(OrderPlaced, 'confirmation');
});

// Stack traces point at the package's TypeScript sources, and a debugger can show them:
// its source maps carry the sources (the package ships no .ts files).
it("maps a listener error's stack to the package's .ts sources", async () => {
  await app.get(OrdersService).place('declined', 1);
  await harness.drain();
  const [failure] = harness.failed(OrderPlaced, 'confirmation');
  const stack = failure.error?.stack ?? '';
  expect(stack).toContain('CardDeclinedError: card declined for order declined');
  expect(stack).not.toContain('node_modules/nestjs-messagio/dist/');
  const frames = packageFrames(stack);
  expect(frames.map((f) => f.path)).toContainEqual(expect.stringMatching(/\/node_modules\/nestjs-messagio\/lib\/(.+\/)?dispatcher\.ts$/));
  const sources = packageSources('dist/cjs'); // the CommonJS build, which `require` loads
  for (const frame of frames) {
    expect([frame, sourceLine(sources, frame)]).toEqual([frame, expect.stringMatching(/\S/)]);
  }
});
