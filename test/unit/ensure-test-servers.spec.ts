import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// `npm test` on a fresh machine: scripts/ensure-test-servers.sh (the pretest script) installs
// what is missing with apt-get as root, and otherwise stops with the exact command to run.
const SCRIPT = resolve('scripts/ensure-test-servers.sh');
const NOTHING = { MESSAGIO_REDIS_SERVER: 'no-such-redis-server', MESSAGIO_CHROMIUM: '/no/such/chromium', MESSAGIO_POSTGRESQL_ROOT: '/no/such/postgresql' };

/** The script, copied where any user may read it (a checkout may sit in a directory only root can enter). */
function readableCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'messagio-pretest-'));
  chmodSync(dir, 0o755);
  const copy = join(dir, 'ensure-test-servers.sh');
  copyFileSync(SCRIPT, copy);
  chmodSync(copy, 0o644);
  return copy;
}

function run(env: Record<string, string>, asUser?: string) {
  const command = asUser ? ['runuser', ['-u', asUser, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'bash', readableCopy()]] : ['bash', [SCRIPT]];
  // As another user, `env` sets the script's environment (runuser itself is found on this process's PATH).
  const child = spawnSync(command[0] as string, command[1] as string[], { encoding: 'utf8', env: asUser ? process.env : { ...process.env, ...env }, timeout: 30_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const isRoot = process.getuid?.() === 0;

describe('scripts/ensure-test-servers.sh (npm test’s pretest)', () => {
  it('with everything installed, says nothing and lets the tests run', () => {
    expect(run({})).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  (isRoot ? it : it.skip)('not root and programs missing: stops before any test, with the exact command', () => {
    const result = run({ ...NOTHING, PATH: '/usr/bin:/bin' }, 'nobody');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('npm test needs redis-server chromium postgresql');
    expect(result.stderr).toContain('  sudo apt-get update && sudo apt-get install -y redis-server chromium postgresql');
  });

  (isRoot ? it : it.skip)('as root with apt-get: installs what is missing, printing one line', () => {
    // An apt-get that records what it was asked, first on PATH.
    const dir = mkdtempSync(join(tmpdir(), 'messagio-apt-'));
    try {
      const log = join(dir, 'calls');
      writeFileSync(join(dir, 'apt-get'), `#!/bin/sh\necho "$@" >> ${log}\n`);
      chmodSync(join(dir, 'apt-get'), 0o755);
      const result = run({ ...NOTHING, MESSAGIO_CHROMIUM: process.execPath, PATH: `${dir}:${process.env.PATH}` });
      expect(result).toEqual({
        status: 0,
        stdout: 'npm test: installing redis-server postgresql with apt-get (the tests start their own servers and browser)\n',
        stderr: '',
      });
      expect(readFileSync(log, 'utf8')).toBe('update -qq\ninstall -y -qq redis-server postgresql\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
