import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { MessagioModule } from 'nestjs-messagio';
import { ActiveTenantGuard, BillingListeners, TimingInterceptor } from './enhancers.js';

// #region global
@Module({
  imports: [MessagioModule.forRoot({ connection: process.env.REDIS_URL })],
  providers: [
    BillingListeners,
    // Global enhancers apply to listeners as to controllers (and so do app.useGlobal*() before app.init()).
    { provide: APP_INTERCEPTOR, useClass: TimingInterceptor },
    { provide: APP_GUARD, useClass: ActiveTenantGuard },
  ],
})
export class AppModule {}
// #endregion
