import type pg from 'pg';

/**
 * The pool of an app booted without a database (`AppModule.forRoot(options)`
 * alone: how `nestjs-messagio contracts` and the AsyncAPI page test read the
 * app): every query says so, instead of connecting anywhere.
 */
const NO_DATABASE = Symbol('no database');

export function noDatabase(): pg.Pool {
  const refuse = (): Promise<never> =>
    Promise.reject(new Error('This app was started without a database (AppModule.forRoot(messagio) alone): pass one to place orders.'));
  return { [NO_DATABASE]: true, query: refuse, connect: refuse, end: () => Promise.resolve() } as unknown as pg.Pool;
}

/** True for the pool of an app booted without a database: there is no schema to create. */
export function isNoDatabase(pool: pg.Pool): boolean {
  return NO_DATABASE in pool;
}
