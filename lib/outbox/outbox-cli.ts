import { OutboxMigrator } from './outbox-migrator.js';
import { outboxSqlNames } from './outbox-sql-names.js';
import { PostgresOutboxStore } from './postgres-outbox.store.js';
import { fromPg } from './from-pg.js';

/** Where the CLI writes. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export const OUTBOX_USAGE = `Usage: nestjs-messagio outbox <migrate|status|sql> [--url postgres://…] [--schema public] [--table messagio_outbox]

  migrate   apply the outbox migrations not applied yet (advisory lock: safe from several processes)
  status    migrations applied and pending; rows waiting, dead rows, age of the oldest waiting row
  sql       print the migrations as one SQL script, for teams that run their own migrations

  --url defaults to $DATABASE_URL. sql needs no database.`;

/**
 * `nestjs-messagio outbox …`: resolves to the exit code (0 done, 1 failed,
 * 2 usage). `pg` is loaded here only, when a command needs a database.
 */
export async function runOutboxCommand(args: readonly string[], io: CliOutput): Promise<number> {
  const [command, ...rest] = args;
  const flags = parseFlags(rest);
  if (typeof flags === 'string' || !['migrate', 'status', 'sql'].includes(command ?? '')) {
    io.err(typeof flags === 'string' ? flags : `Unknown outbox command ${JSON.stringify(command ?? '')}.`);
    io.err(OUTBOX_USAGE);
    return 2;
  }
  let names: ReturnType<typeof outboxSqlNames>;
  try {
    names = outboxSqlNames(flags.schema, flags.table);
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  if (command === 'sql') {
    io.out(new OutboxMigrator({ connect: () => Promise.reject(new Error('no database')) }, names).sql());
    return 0;
  }
  const url = flags.url ?? process.env['DATABASE_URL'];
  if (!url) {
    io.err(`nestjs-messagio outbox ${command} needs a database: --url postgres://… or DATABASE_URL.`);
    return 2;
  }
  let Pool: typeof import('pg').Pool;
  try {
    // pg is CommonJS: its exports are the default export of the ESM import.
    const pg = (await import('pg')) as { default?: { Pool: typeof import('pg').Pool }; Pool?: typeof import('pg').Pool };
    Pool = (pg.default?.Pool ?? pg.Pool)!;
  } catch {
    io.err('nestjs-messagio outbox needs the pg package: npm install pg');
    return 1;
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const migrator = new OutboxMigrator(pool, names);
    const status = command === 'migrate' ? await migrator.migrate() : await migrator.status();
    io.out(`${names.table}: migrations applied [${status.applied.join(', ')}], pending [${status.pending.join(', ')}]`);
    if (command === 'status' && status.applied.length > 0) {
      const store = new PostgresOutboxStore(pool, { names, client: fromPg, channel: names.tableName, retentionMs: 0 });
      const stats = await store.stats();
      io.out(`rows waiting ${stats.pending}, dead ${stats.dead}, oldest waiting ${stats.oldestPendingMs === null ? '-' : `${stats.oldestPendingMs} ms`}`);
    }
    return 0;
  } catch (error) {
    io.err(`nestjs-messagio outbox ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await pool.end();
  }
}

function parseFlags(args: readonly string[]): { url?: string; schema?: string; table?: string } | string {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--(url|schema|table)(?:=(.*))?$/.exec(args[i]!);
    if (!match) return `Unknown argument ${JSON.stringify(args[i])}.`;
    const value = match[2] ?? args[++i];
    if (value === undefined) return `--${match[1]} needs a value.`;
    flags[match[1]!] = value;
  }
  return flags;
}
