// `npm run sample`: boots the orders app, fires a few orders, waits for every
// listener, prints what they did, and exits 0 (1 with a reason if anything is missing).
// `npm run sample -- --dashboard` (or MESSAGIO_SAMPLE_DASHBOARD=1): the same as an
// HTTP app with bull-board at /queues, serving until stopped (sample/dashboard/).
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { chooseTransport, type SampleTransport } from './choose-transport.js';
import { chooseDatabase, type SampleDatabase } from './database/choose-database.js';
import { runOrders } from './run-orders.js';
import { message, withTimeout } from './timeout.js';

/** How long the listeners may take in all (MESSAGIO_SAMPLE_TIMEOUT_MS overrides). */
const RUN_TIMEOUT = Number(process.env.MESSAGIO_SAMPLE_TIMEOUT_MS) || 20_000;
const BOOT_TIMEOUT = 15_000;
const CLOSE_TIMEOUT = 15_000;
const DASHBOARD = process.argv.includes('--dashboard') || process.env.MESSAGIO_SAMPLE_DASHBOARD === '1';

async function main(): Promise<number> {
  let transport: SampleTransport;
  try {
    transport = await chooseTransport();
  } catch (error) {
    console.error(`✗ Could not set up a transport: ${message(error)}`);
    return 1;
  }
  console.log(transport.description);
  let database: SampleDatabase;
  try {
    database = await chooseDatabase();
  } catch (error) {
    console.error(`✗ Could not set up a database: ${message(error)}`);
    await transport.cleanup();
    return 1;
  }
  console.log(database.description);

  if (DASHBOARD) {
    // Loaded only with the flag: bull-board and the HTTP platform are not part of the plain run.
    const { runDashboard } = await import('./dashboard/run-dashboard.js');
    return runDashboard(transport, database, { boot: BOOT_TIMEOUT, run: RUN_TIMEOUT, close: CLOSE_TIMEOUT });
  }

  let app: INestApplicationContext | undefined;
  let code = 0;
  try {
    app = await withTimeout(
      NestFactory.createApplicationContext(AppModule.forRoot(transport.options, database), {
        logger: ['warn', 'error'],
        abortOnError: false, // throw instead of exiting, so we can say why
      }),
      BOOT_TIMEOUT,
      'starting the app (is Redis reachable?)',
    );
    await runOrders(app, RUN_TIMEOUT);
  } catch (error) {
    console.error(`\n✗ Sample failed: ${message(error)}`);
    code = 1;
  }

  try {
    if (app) await withTimeout(app.close(), CLOSE_TIMEOUT, 'closing the app');
    await withTimeout(transport.cleanup(), CLOSE_TIMEOUT, 'cleaning up the transport');
    await withTimeout(database.cleanup(), CLOSE_TIMEOUT, 'cleaning up the database');
  } catch (error) {
    console.error(`✗ Shutdown failed: ${message(error)}`);
    code = 1;
  }
  if (code === 0) console.log('\nDone: app closed, every listener ran as expected.');
  return code;
}

const code = await main();
if (code !== 0) {
  // A half-started app may hold connections that retry forever: leave now.
  process.exit(code);
}
// On success the process ends by itself once the app is closed; if something
// still holds it open, say so instead of hanging.
setTimeout(() => {
  console.error('✗ The process did not exit within 5 s of closing the app: something still holds a handle open.');
  process.exit(1);
}, 5000).unref();
