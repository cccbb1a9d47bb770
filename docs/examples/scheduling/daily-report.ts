import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Messagio, MessagioModule, MessagioSchedule, MessagioScheduler, MessagioType, OnMessagio } from 'nestjs-messagio';

@MessagioType('reports.daily-report')
export class DailyReport extends Messagio {
  @IsString() day: string;
  constructor(day: string) {
    super();
    this.day = day;
  }
}

// #region declare
@Injectable()
export class Reports {
  // Fires the message this method returns every day at 06:00 Paris time: once per day across
  // every instance of the app, however many declare it.
  @MessagioSchedule('daily-report', { cron: '0 6 * * *', tz: 'Europe/Paris' })
  dailyReport(): DailyReport {
    return new DailyReport(new Date().toISOString().slice(0, 10));
  }

  // A tick is a message like any other: validated, one delivery per listener, retries...
  @OnMessagio(DailyReport, { maxRetries: 3 })
  async send(report: DailyReport): Promise<void> {
    await mailReport(report.day);
  }
}
// #endregion

// #region programmatic
@Injectable()
export class TenantReports implements OnApplicationBootstrap {
  constructor(private readonly scheduler: MessagioScheduler) {}

  // Every instance upserts the same schedules at boot: idempotent. A changed pattern replaces the
  // schedule; remove() stops it; list() reads them back (with their next tick).
  async onApplicationBootstrap(): Promise<void> {
    for (const tenant of await loadTenants()) {
      await this.scheduler.upsert(`digest-${tenant.id}`, { every: 15 * 60_000 }, () => new DailyReport(tenant.id));
    }
  }

  async stop(tenantId: string): Promise<boolean> {
    return this.scheduler.remove(`digest-${tenantId}`);
  }

  async next(): Promise<Array<{ id: string; next?: Date }>> {
    return (await this.scheduler.list()).map(({ id, next }) => ({ id, next }));
  }
}
// #endregion

@Module({
  imports: [MessagioModule.forRoot({ connection: { host: 'localhost', port: 6379 } })],
  providers: [Reports],
})
export class ReportsModule {}

async function mailReport(day: string): Promise<void> {
  void day;
}

async function loadTenants(): Promise<Array<{ id: string }>> {
  return [{ id: 'acme' }];
}
