import { Injectable, Module } from '@nestjs/common';
import { MessagioModule } from 'nestjs-messagio';

/** Stand-ins for @nestjs/config's ConfigModule and ConfigService. */
@Injectable()
export class ConfigService {
  get(key: string): string {
    return process.env[key] ?? '';
  }
}
@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {}

// #region async
MessagioModule.forRootAsync({
  imports: [ConfigModule],
  inject: [ConfigService],
  useFactory: (config: ConfigService) => ({ connection: config.get('REDIS_URL') }),
  // transport: 'memory': the transport kind is declared here ('bullmq' by default, or 'custom'),
  // since it decides which modules are imported; the factory's `transport` must agree.
});
// #endregion
