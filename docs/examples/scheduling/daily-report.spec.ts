import { Test, type TestingModule } from '@nestjs/testing';
import { MessagioModule } from 'nestjs-messagio';
import { MessagioTestHarness, MessagioTestingModule } from 'nestjs-messagio/testing';
import { DailyReport, ReportsModule } from './daily-report.js';

// #region harness
describe('the daily report', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;

  beforeEach(async () => {
    app = await Test.createTestingModule({ imports: [ReportsModule] })
      .overrideModule(MessagioModule)
      .useModule(MessagioTestingModule.forRoot({ startTime: new Date('2030-01-07T00:00:00Z') })) // a Monday
      .compile();
    await app.init(); // declared schedules are upserted here, on the virtual clock
    harness = app.get(MessagioTestHarness);
  });
  afterEach(async () => app.close());

  it('fires once a day at 06:00 Paris time', async () => {
    await harness.advance(7 * 24 * 3600_000); // a week of virtual time, in milliseconds of real time
    const fired = harness.fired(DailyReport);
    expect(fired).toHaveLength(7);
    expect(fired[0]!.messageId).toBe(`daily-report@${Date.parse('2030-01-07T05:00:00Z')}`); // <schedule>@<tick time>
    expect(harness.handled(DailyReport)).toHaveLength(7);
  });
});
// #endregion
