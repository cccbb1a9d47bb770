// `npm run sample -- --dashboard` (or MESSAGIO_SAMPLE_DASHBOARD=1): the orders
// scenario in an HTTP app with bull-board at /queues, plus one refund whose
// delivery fails for good; then it keeps serving until SIGINT/SIGTERM.
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagioPublisher } from '../../lib/index.js';
import type { SampleTransport } from '../choose-transport.js';
import type { SampleDatabase } from '../database/choose-database.js';
import { runOrders } from '../run-orders.js';
import { message, withTimeout } from '../timeout.js';
import { DashboardAppModule } from './dashboard.module.js';
import { RefundRequested } from './refund-requested.message.js';

export interface DashboardTimeouts {
  boot: number;
  run: number;
  close: number;
}

/** Returns the exit code, once stopped by a signal (or at once if it could not start). */
export async function runDashboard(transport: SampleTransport, database: SampleDatabase, timeouts: DashboardTimeouts): Promise<number> {
  if (transport.options.transport === 'memory') {
    console.error('✗ The dashboard shows BullMQ queues and needs Redis: set REDIS_URL or install redis-server.');
    await transport.cleanup();
    await database.cleanup();
    return 1;
  }

  let app: INestApplication | undefined;
  let code = 0;
  try {
    app = await withTimeout(
      NestFactory.create(DashboardAppModule.forRoot(transport.options, database), { logger: ['warn', 'error'], abortOnError: false }),
      timeouts.boot,
      'starting the app (is Redis reachable?)',
    );
    // MESSAGIO_SAMPLE_PORT picks the port; by default any free one.
    await app.listen(Number(process.env.MESSAGIO_SAMPLE_PORT) || 0, '127.0.0.1');
    await runOrders(app, timeouts.run);

    const receipt = await app.get(MessagioPublisher).fire(new RefundRequested('A-1002', 18900));
    const outcome = await receipt.wait({ timeout: timeouts.run });
    const refund = outcome.deliveries.find((d) => d.listener === 'refund');
    if (refund?.status !== 'failed') throw new Error(`the refund delivery should have failed, it is ${refund?.status ?? 'missing'}`);
    console.log(`\n✗ refund   A-1002  failed for good after ${refund.attempts} attempts: ${refund.error} (kept for the dashboard)`);

    console.log(`\nDashboard: ${await app.getUrl()}/queues  (queue "${transport.options.queueName}"; Ctrl+C to stop)`);
  } catch (error) {
    console.error(`\n✗ Dashboard sample failed: ${message(error)}`);
    code = 1;
  }

  if (code === 0) {
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log(`\n${signal}: stopping the dashboard.`);
  }

  try {
    if (app) await withTimeout(app.close(), timeouts.close, 'closing the app');
    await withTimeout(transport.cleanup(), timeouts.close, 'cleaning up the transport');
    await withTimeout(database.cleanup(), timeouts.close, 'cleaning up the database');
  } catch (error) {
    console.error(`✗ Shutdown failed: ${message(error)}`);
    code = 1;
  }
  return code;
}
