// #region health
import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { MessagioHealthIndicator } from 'nestjs-messagio/health';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly messagio: MessagioHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.messagio.isHealthy('messagio', { timeout: 1000 })]);
  }
}

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [MessagioHealthIndicator] })
export class HealthModule {}
// #endregion
