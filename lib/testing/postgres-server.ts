import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** A private PostgreSQL server started by `startPostgresServer()`. */
export interface PostgresServerHandle {
  host: string;
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  url: string;
  user: string;
  database: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** Options of `startPostgresServer()`. */
export interface StartPostgresServerOptions {
  /** Directory of `initdb` and `pg_ctl`. @default the newest `/usr/lib/postgresql/<version>/bin` */
  binDir?: string;
  /** Port to listen on. @default a free port */
  port?: number;
  /** Milliseconds to wait for the server to accept connections. @default 30000 */
  timeout?: number;
}

/** The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and `pg_ctl`, if any. */
export function findPostgresBinDir(root = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : undefined;
}

/** True when PostgreSQL's server binaries can be found. */
export function hasPostgresServer(binDir?: string): boolean {
  return (binDir ?? findPostgresBinDir()) !== undefined;
}

/**
 * Starts a throw-away PostgreSQL on loopback, with its own data directory and
 * durability off (fsync, synchronous commit), for e2e tests and benchmarks
 * (about 2 s). As root, the server runs as the `postgres` user (`initdb`
 * refuses root); otherwise as the current user.
 */
export async function startPostgresServer(options: StartPostgresServerOptions = {}): Promise<PostgresServerHandle> {
  const bin = options.binDir ?? findPostgresBinDir();
  if (bin === undefined) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/<version>/bin. ' +
        'Install them (Debian/Ubuntu: apt-get update && apt-get install -y postgresql) or pass { binDir }.',
    );
  }
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'messagio-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const asRoot = userInfo().uid === 0;
  // `initdb` refuses to run as root: the server is the postgres user's, in a directory it owns.
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const exec = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]) : run(join(bin, program), args);
  const timeout = Math.ceil((options.timeout ?? 30_000) / 1000);
  const stop = async () => {
    if (existsSync(join(data, 'postmaster.pid'))) {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
    await exec('pg_ctl', ['-D', data, '-o', settings, '-l', log, '-w', '-t', String(timeout), 'start']);
  } catch (error) {
    const output = existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : '';
    await stop();
    throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${output}`, { cause: error });
  }
  return { host: '127.0.0.1', port, url: `postgres://postgres@127.0.0.1:${port}/postgres`, user: 'postgres', database: 'postgres', stop };
}

/** The postgres user's ids, from /etc/passwd (`name:x:uid:gid:...`). */
function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root, but there is no postgres user to run PostgreSQL as (initdb refuses root): install the postgresql package.');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
