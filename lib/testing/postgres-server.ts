import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

/** A private PostgreSQL server started by `startPostgresServer()`. */
export interface PostgresServerHandle {
  host: string;
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  url: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** Options of `startPostgresServer()`. */
export interface StartPostgresServerOptions {
  /** Directory holding `initdb` and `pg_ctl`. @default the newest `/usr/lib/postgresql/<major>/bin`, else PATH */
  binDir?: string;
  /** Port to listen on. @default a free port */
  port?: number;
  /** Milliseconds to wait for the server to accept connections. @default 30000 */
  timeout?: number;
}

/** The directory of the newest PostgreSQL installed the Debian way, if any. */
function defaultBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

/** True when PostgreSQL's `initdb` can be run. */
export function hasPostgresServer(binDir = defaultBinDir()): boolean {
  const initdb = binDir ? join(binDir, 'initdb') : 'initdb';
  return spawnSync(initdb, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts a throw-away PostgreSQL on loopback, with its own data directory and
 * trust authentication, for e2e tests and benchmarks. Tuned for tests, not
 * for data: `fsync` is off (the counterpart of the test redis-server's
 * persistence off). initdb refuses to run as root: as root, the server runs as
 * the `postgres` user the Debian package creates.
 */
export async function startPostgresServer(options: StartPostgresServerOptions = {}): Promise<PostgresServerHandle> {
  const binDir = options.binDir ?? defaultBinDir();
  if (!hasPostgresServer(binDir)) {
    throw new Error(
      'PostgreSQL was not found (initdb under /usr/lib/postgresql/<major>/bin or on PATH). Install it ' +
        '(Debian/Ubuntu: apt-get update && apt-get install -y postgresql) and run again.',
    );
  }
  const bin = (name: string) => (binDir ? join(binDir, name) : name);
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'messagio-postgres-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('startPostgresServer() runs as root but there is no "postgres" user to run PostgreSQL as.');
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
    chmodSync(dir, 0o700);
  }
  // As root, run as the postgres user; else as ourselves.
  const run = (file: string, args: string[], timeout: number): SpawnSyncReturns<string> =>
    asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8', timeout })
      : spawnSync(file, args, { encoding: 'utf8', timeout });
  const timeout = options.timeout ?? 30_000;
  const stop = async () => {
    run(bin('pg_ctl'), ['-D', data, 'stop', '-m', 'fast', '-w'], 15_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const init = run(bin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], timeout);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stdout}${init.stderr}`);
  }
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300`;
  const started = run(bin('pg_ctl'), ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', '-t', String(Math.ceil(timeout / 1000)), 'start'], timeout + 5000);
  if (started.status !== 0) {
    await stop();
    throw new Error(`PostgreSQL did not start on port ${port} (${started.status ?? started.signal}):\n${started.stdout}${started.stderr}`);
  }
  return { host: '127.0.0.1', port, url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
