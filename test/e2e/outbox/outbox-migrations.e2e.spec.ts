import { spawnSync } from 'node:child_process';
import { MessagioPublisher } from '../../../lib/index.js';
import { OUTBOX_MIGRATIONS, OutboxMigrator, outboxSqlNames } from '../../../lib/outbox/index.js';
import { inTransaction, OrderPlaced, outboxApp, uniqueTable, usePostgres } from './fixtures.js';

// Point 4 of issue 13: the shipped migration, applied at startup unless told
// not to (or in production), and by hand through OutboxMigrator (what the CLI runs).

const postgres = usePostgres(10);

// Every shipped step (1: the outbox table, 2: the inbox table).
const VERSIONS = OUTBOX_MIGRATIONS.map((m) => m.version);

const exists = async (qualified: string) => (await postgres.pool.query('SELECT to_regclass($1) AS t', [qualified])).rows[0].t !== null;

it('applies the migration at startup by default, in the configured schema', async () => {
  const table = uniqueTable();
  const nest = await outboxApp(postgres.pool, { table, schema: 'app_outbox', relay: false });
  try {
    expect(await exists(`app_outbox.${table}`)).toBe(true);
    const { rows } = await postgres.pool.query(`SELECT version FROM app_outbox.${table}_migrations`);
    expect(rows).toEqual(VERSIONS.map((version) => ({ version })));
  } finally {
    await nest.close();
  }
});

it('does not migrate with migrate: false, nor when NODE_ENV is production: a transactional fire then fails inside the transaction', async () => {
  const off = uniqueTable();
  const nest = await outboxApp(postgres.pool, { table: off, migrate: false, relay: false });
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  const production = uniqueTable();
  let prod;
  try {
    prod = await outboxApp(postgres.pool, { table: production, relay: false });
  } finally {
    process.env.NODE_ENV = previous;
  }
  try {
    expect(await exists(off)).toBe(false);
    expect(await exists(production)).toBe(false);
    await expect(inTransaction(postgres.pool, (client) => nest.get(MessagioPublisher).fire(new OrderPlaced('x'), { transaction: client }))).rejects.toThrow(
      /does not exist/,
    );
  } finally {
    await nest.close();
    await prod.close();
  }
});

it('OutboxMigrator: concurrent migrations apply each step once (advisory lock); status; sql() is a script that gives the same schema', async () => {
  const names = outboxSqlNames('public', uniqueTable());
  const migrators = [0, 1, 2].map(() => new OutboxMigrator(postgres.pool, names));
  expect(await migrators[0]!.status()).toEqual({ applied: [], pending: VERSIONS });
  const results = await Promise.all(migrators.map((m) => m.migrate()));
  for (const r of results) expect(r).toEqual({ applied: VERSIONS, pending: [] });

  const scripted = outboxSqlNames('scripted', uniqueTable());
  const sql = new OutboxMigrator(postgres.pool, scripted).sql();
  await postgres.pool.query(sql);
  await postgres.pool.query(sql); // idempotent
  expect(await new OutboxMigrator(postgres.pool, scripted).status()).toEqual({ applied: VERSIONS, pending: [] });
  const columns = async (schema: string, table: string) =>
    (await postgres.pool.query('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, table])).rows;
  expect(await columns('scripted', scripted.tableName)).toEqual(await columns('public', names.tableName));
});

it('refuses schema and table names that are not plain identifiers (they are spliced into SQL)', () => {
  expect(() => outboxSqlNames('public', 'x"; DROP TABLE y; --')).toThrow(/lower-case SQL identifier/);
  expect(() => outboxSqlNames('Public')).toThrow(/lower-case SQL identifier/);
});

describe('the CLI: npx nestjs-messagio outbox migrate | status | sql (built bin)', () => {
  const cli = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.DATABASE_URL;
    return spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', env });
  };

  it('sql prints the script without a database; migrate applies it; status reports versions and rows', () => {
    const table = uniqueTable();
    const sql = cli('outbox', 'sql', '--table', table);
    expect(sql.status).toBe(0);
    expect(sql.stdout).toContain(`CREATE TABLE IF NOT EXISTS "public"."${table}"`);

    const before = cli('outbox', 'status', '--url', postgres.url, '--table', table);
    expect([before.status, before.stdout.trim()]).toEqual([0, `"public"."${table}": migrations applied [], pending [${VERSIONS.join(', ')}]`]);
    const migrate = cli('outbox', 'migrate', '--url', postgres.url, `--table=${table}`);
    expect([migrate.status, migrate.stdout.trim()]).toEqual([0, `"public"."${table}": migrations applied [${VERSIONS.join(', ')}], pending []`]);
    const after = cli('outbox', 'status', '--url', postgres.url, '--table', table);
    expect(after.status).toBe(0);
    expect(after.stdout).toContain('rows waiting 0, dead 0, oldest waiting -');
  });

  it('usage errors exit 2 with the usage; a database that cannot be reached exits 1 saying why', () => {
    for (const args of [['frob'], ['outbox', 'frob'], ['outbox', 'migrate'], ['outbox', 'sql', '--table', 'Bad-Name'], ['outbox', 'sql', '--nope']]) {
      const run = cli(...args);
      expect([args, run.status]).toEqual([args, 2]);
      expect(run.stderr).not.toBe('');
    }
    const down = cli('outbox', 'migrate', '--url', 'postgres://postgres@127.0.0.1:1/postgres');
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/nestjs-messagio outbox migrate failed: .*ECONNREFUSED/);
  });
});
