import { PGlite } from '@electric-sql/pglite';
import { PglitePool } from '../../sample/database/pglite-pool.js';

// The sample's embedded database: what the outbox needs of a pg Pool, on one
// PGlite session. A client's transaction keeps other clients' statements out
// until it ends, and LISTEN hears a commit's NOTIFY (never a rollback's).

let db: PGlite;
let pool: PglitePool;

beforeAll(async () => {
  db = await PGlite.create();
  pool = new PglitePool(db);
  await pool.query('CREATE TABLE t (id text PRIMARY KEY)');
}, 120_000);

afterAll(async () => db?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PglitePool (the sample without DATABASE_URL)', () => {
  it('another client’s statement waits for a transaction to end: it never runs inside it, nor sees its rolled-back rows', async () => {
    const a = await pool.connect();
    await a.query('BEGIN');
    await a.query('INSERT INTO t (id) VALUES ($1)', ['rolled-back']);
    let counted: number | undefined;
    const outside = pool.query('SELECT count(*)::int AS n FROM t').then((r) => (counted = r.rows[0]!.n as number));
    await sleep(100);
    expect(counted).toBeUndefined(); // still waiting for a's transaction
    await a.query('ROLLBACK');
    a.release();
    await outside;
    expect(counted).toBe(0);
  });

  it('LISTEN on one client hears a NOTIFY another committed, after the commit; a rolled-back NOTIFY is never heard', async () => {
    const listener = await pool.connect();
    const heard: string[] = [];
    listener.on('notification', (n: { channel: string; payload: string }) => heard.push(`${n.channel}:${n.payload}`));
    await listener.query('LISTEN "orders_chan"');

    const a = await pool.connect();
    await a.query('BEGIN');
    await a.query("SELECT pg_notify('orders_chan', 'rolled-back')");
    await a.query('ROLLBACK');
    await a.query('BEGIN');
    await a.query('INSERT INTO t (id) VALUES ($1)', ['committed']);
    await a.query("SELECT pg_notify('orders_chan', 'committed')");
    expect(heard).toEqual([]);
    await a.query('COMMIT');
    a.release();
    for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(10);
    expect(heard).toEqual(['orders_chan:committed']);

    await listener.query('UNLISTEN "orders_chan"');
    await pool.query("SELECT pg_notify('orders_chan', 'after-unlisten')");
    await sleep(100);
    expect(heard).toEqual(['orders_chan:committed']);
    listener.release();
  });

  it('reports rowCount as node-postgres does, and runs parameterless scripts of several statements (the outbox migrations)', async () => {
    await pool.query("CREATE TABLE u (n integer); INSERT INTO u VALUES (1), (2), (3)");
    expect((await pool.query('UPDATE u SET n = n + 1 WHERE n >= $1', [2])).rowCount).toBe(2);
    expect((await pool.query('SELECT n FROM u WHERE n = ANY($1::int[]) ORDER BY n', [[3, 4]])).rows).toEqual([{ n: 3 }, { n: 4 }]);
  });
});
