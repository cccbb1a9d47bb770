// `npm run sample` as a user runs it, on the test redis-server (REDIS_URL):
// with DATABASE_URL on a real PostgreSQL (started here), and without it on
// the embedded PGlite. Each run places A-1001 through the outbox, rolls back
// A-1004, checks the listeners and the orders table itself, and exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { startPostgresServer, type PostgresServerHandle } from '../../lib/testing/index.js';
import { redisConnection } from '../support/redis.js';

// Its own build of the sample: `npm run sample` and the dashboard test build elsewhere.
const OUT = '.tmp/sample-run-test';

let postgres: PostgresServerHandle;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'sample/tsconfig.json', '--outDir', OUT], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the sample failed:\n${build.stdout}${build.stderr}`);
  postgres = await startPostgresServer();
}, 180_000);

afterAll(async () => postgres?.stop());

/** Runs the built sample to its end: exit code and everything it printed. */
function runSample(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const { host, port } = redisConnection();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: `redis://${host}:${port}`, DATABASE_URL: '', ...env };
  delete childEnv.NODE_OPTIONS; // Jest's --experimental-vm-modules is not for the sample
  const child = spawn(process.execPath, ['--enable-source-maps', `${OUT}/sample/main.js`], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('the sample run (npm run sample)', () => {
  it('with DATABASE_URL: a plain pg.Pool on that server, in a schema of its own that is dropped at the end', async () => {
    const { code, output } = await runSample({ DATABASE_URL: postgres.url });
    expect(output).toContain(`Database: PostgreSQL at DATABASE_URL ${postgres.url}`);
    expect(output).toContain('Fired A-1001 via fire(order, { transaction })');
    expect(output).toContain('Rolled back A-1004: Not enough MONITOR in stock for 5');
    expect(output).toContain('Done: app closed, every listener ran as expected.');
    expect(code).toBe(0);
    const pool = new pg.Pool({ connectionString: postgres.url });
    try {
      const left = await pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'messagio_sample_%'");
      expect(left.rows).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 120_000);

  it('without DATABASE_URL: the embedded PostgreSQL (PGlite), nothing installed', async () => {
    const { code, output } = await runSample({});
    expect(output).toContain('Database: embedded PostgreSQL (PGlite');
    expect(output).toContain('Rolled back A-1004');
    expect(output).toContain('Done: app closed, every listener ran as expected.');
    expect(code).toBe(0);
  }, 120_000);

  it('an unreachable DATABASE_URL fails at once, naming it (password hidden), exit code 1', async () => {
    const { code, output } = await runSample({ DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/shop' });
    expect(output).toContain('✗ Could not set up a database: cannot use PostgreSQL at DATABASE_URL=postgres://u:***@127.0.0.1:1/shop');
    expect(output).not.toContain('secret');
    expect(code).toBe(1);
  }, 60_000);
});
