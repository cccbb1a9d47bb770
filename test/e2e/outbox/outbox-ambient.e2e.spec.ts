import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startPostgresServer, type PostgresServerHandle } from '../../../lib/testing/index.js';

// The ambient transaction (point 1 of issue 13): inside a @Transactional()
// method of @nestjs-cls/transactional, fire(msg) with no argument writes in
// that transaction. The app (ambient-app/main.ts) runs in plain Node: those
// packages are CommonJS requiring NestJS 12's ESM build, which Jest cannot load.

const OUT = '.tmp/outbox-ambient-app';

interface Result {
  committed: { pending: string | null; ok: boolean };
  rolledBack: string;
  direct: { pending: string | null };
  outside: { pending: string | null };
  seen: string[];
  orderRows: string[];
}

let postgres: PostgresServerHandle;
let results: Record<'typeorm' | 'drizzle', Result>;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  const [server, build] = await Promise.all([
    startPostgresServer(),
    Promise.resolve().then(() =>
      spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/e2e/outbox/ambient-app/tsconfig.json'], { encoding: 'utf8' }),
    ),
  ]);
  postgres = server;
  if (build.status !== 0) throw new Error(`building the ambient app failed:\n${build.stdout}${build.stderr}`);
  const env: NodeJS.ProcessEnv = { ...process.env, POSTGRES_URL: postgres.url };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--enable-source-maps', `${OUT}/test/e2e/outbox/ambient-app/main.js`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`the ambient app exited with ${code}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  results = JSON.parse(line.slice('RESULT '.length)) as typeof results;
}, 120_000);

afterAll(async () => postgres?.stop());

describe.each(['typeorm', 'drizzle'] as const)('fire(msg) inside @Transactional() joins the ambient transaction (%s adapter)', (flavour) => {
  it('commits with the order: pending outbox, then delivered', () => {
    expect(results[flavour].committed).toEqual({ pending: 'outbox', ok: true });
    expect(results[flavour].seen).toContain(`${flavour}-ok`);
    expect(results[flavour].orderRows).toContain(`${flavour}-ok`);
  });

  it('rolls back with the order: never delivered', () => {
    expect(results[flavour].rolledBack).toBe(`roll back ${flavour}-ghost`);
    expect(results[flavour].seen).not.toContain(`${flavour}-ghost`);
    expect(results[flavour].orderRows).not.toContain(`${flavour}-ghost`);
  });

  it('{ transaction: null } inside the transaction, and any fire outside one, go straight to the transport', () => {
    expect(results[flavour].direct).toEqual({ pending: null });
    expect(results[flavour].outside).toEqual({ pending: null });
    // The direct fire was delivered although its transaction rolled back: that is what null asks for.
    expect(results[flavour].seen).toEqual([`${flavour}-direct`, `${flavour}-ok`, `${flavour}-outside`]);
    expect(results[flavour].orderRows).toEqual([`${flavour}-ok`]);
  });
});
