import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { Messagio, MessagioContext, MessagioSchedule, MessagioScheduler, MessagioType, OnMessagio } from '../../lib/index.js';
import { MessagioTestHarness } from '../../lib/testing/index.js';
import { testingApp } from './fixtures.js';

// Schedules under the harness: ticks fall due on the virtual clock, so a day
// of hourly ticks runs in milliseconds, and each goes through the app's
// pipeline like any fire.

const MIDNIGHT = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

@MessagioType('reports.hourly')
class HourlyReport extends Messagio {
  @IsString() at: string;
  constructor(at: string) {
    super();
    this.at = at;
  }
}

@Injectable()
class Reports {
  readonly handled: Array<{ at: string; messageId: string; now: number }> = [];
  now: () => number = () => 0;

  @MessagioSchedule('hourly', { cron: '0 * * * *' })
  hourly(): HourlyReport {
    return new HourlyReport(new Date(this.now()).toISOString());
  }

  @OnMessagio(HourlyReport, { id: 'reports' })
  handle(report: HourlyReport, ctx: MessagioContext) {
    this.handled.push({ at: report.at, messageId: ctx.messageId, now: this.now() });
  }
}

describe('schedules under the test harness', () => {
  let app: TestingModule;
  let harness: MessagioTestHarness;
  let reports: Reports;

  beforeEach(async () => {
    app = await testingApp([Reports], { startTime: new Date(MIDNIGHT) });
    harness = app.get(MessagioTestHarness);
    reports = app.get(Reports);
    reports.now = () => harness.now().getTime();
  });
  afterEach(async () => app.close());

  it('advance(24 h) runs the 24 ticks of an hourly schedule, each on the hour, each through the pipeline', async () => {
    const summary = await harness.advance(24 * HOUR);
    expect(summary.fired).toBe(24);
    expect(summary.completed).toBe(24);
    expect(reports.handled).toHaveLength(24);
    for (const [i, handled] of reports.handled.entries()) {
      const due = MIDNIGHT + (i + 1) * HOUR;
      expect(handled).toEqual({ at: new Date(due).toISOString(), messageId: `hourly@${due}`, now: due });
    }
    expect(harness.fired(HourlyReport).map((r) => r.messageId)).toEqual(reports.handled.map((h) => h.messageId));
  });

  it('advance() stops before a tick not yet due; drain() runs what is pending without moving to the next tick', async () => {
    await harness.advance(HOUR - 1);
    expect(reports.handled).toEqual([]);
    const drained = await harness.drain();
    expect(drained).toMatchObject({ fired: 0, elapsed: 0 });
    await harness.advance(1);
    expect(reports.handled).toHaveLength(1);
  });

  it('a schedule upserted in the test ticks on the virtual clock too (every: first tick at once), and reset() keeps the schedules', async () => {
    const scheduler = app.get(MessagioScheduler);
    await scheduler.upsert('quarterly', { every: HOUR / 4, limit: 3 }, () => new HourlyReport('quarter'));
    await harness.advance(HOUR);
    const quarters = reports.handled.filter((h) => h.at === 'quarter').map((h) => h.now - MIDNIGHT);
    expect(quarters).toEqual([0, HOUR / 4, HOUR / 2]); // limit 3
    expect((await scheduler.list()).map((s) => [s.id, s.iterations])).toEqual([
      ['hourly', 2],
      ['quarterly', 3],
    ]);

    harness.reset();
    reports.handled.length = 0;
    await harness.advance(HOUR);
    // The schedules survived the reset as they stood: the hourly one ticks on, the quarterly one had ended.
    expect(reports.handled.map((h) => h.messageId)).toEqual([`hourly@${MIDNIGHT + 2 * HOUR}`]);
  });

  it('in capture mode nothing runs, ticks included (a paused worker takes no tick either)', async () => {
    harness.setMode('capture');
    await harness.advance(3 * HOUR);
    expect(harness.fired()).toEqual([]);
    harness.setMode('run');
    await harness.advance(0);
    // The tick due meanwhile runs once consumers run; the ones missed are skipped, as BullMQ does.
    expect(reports.handled.map((h) => h.messageId)).toEqual([`hourly@${MIDNIGHT + HOUR}`]);
  });
});
