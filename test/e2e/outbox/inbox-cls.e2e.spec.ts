import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startPostgresServer, type PostgresServerHandle } from '../../../lib/testing/index.js';

// Point 5 of issue 13 with @nestjs-cls/transactional: an inbox: true listener's
// TransactionHost writes (and its fires without a transaction argument) are in
// the inbox's transaction: committed with its inbox row, rolled back with it.
// The app (inbox-cls-app/main.ts) runs in plain Node: those packages are
// CommonJS requiring NestJS 12's ESM build, which Jest cannot load.

const OUT = '.tmp/outbox-inbox-cls-app';

interface Result {
  outcomes: Array<Array<[string, string, number]>>;
  redelivered: string;
  calls: Array<{ order: string; attempt: number; sameTransaction: boolean }>;
  effects: Array<{ order_id: string; attempt: number }>;
  inbox: string[];
  invoices: string[];
}

let postgres: PostgresServerHandle;
let result: Result;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  const [server, build] = await Promise.all([
    startPostgresServer(),
    Promise.resolve().then(() =>
      spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/e2e/outbox/inbox-cls-app/tsconfig.json'], { encoding: 'utf8', timeout: 90_000 }),
    ),
  ]);
  postgres = server;
  if (build.status !== 0) throw new Error(`building the inbox CLS app failed:\n${build.stdout}${build.stderr}`);
  const env: NodeJS.ProcessEnv = { ...process.env, POSTGRES_URL: postgres.url };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--enable-source-maps', `${OUT}/test/e2e/outbox/inbox-cls-app/main.js`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  // Bounded: a stuck app is killed, never left to hang the suite.
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`the inbox CLS app exited with ${code}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  result = JSON.parse(line.slice('RESULT '.length)) as Result;
}, 180_000);

afterAll(async () => postgres?.stop());

describe('inbox: true with @nestjs-cls/transactional (TypeORM adapter)', () => {
  it("the listener's TransactionHost is the inbox's transaction (context.transaction is txHost.tx)", () => {
    expect(result.calls.length).toBeGreaterThan(0);
    expect(result.calls.every((c) => c.sameTransaction)).toBe(true);
  });

  it('a throw rolls back its TransactionHost writes and its fires with the inbox row; the retry runs it again and commits once', () => {
    expect(result.outcomes).toEqual([[['billing', 'completed', 1]], [['billing', 'completed', 2]]]);
    expect(result.calls.filter((c) => c.order === 'o-fail').map((c) => c.attempt)).toEqual([1, 2]);
    expect(result.effects).toEqual([
      { order_id: 'o-fail', attempt: 2 },
      { order_id: 'o-ok', attempt: 1 },
    ]);
    expect(result.inbox).toEqual(['billing', 'billing']);
    // The fire of the rolled-back attempt was never relayed: one invoice each.
    expect(result.invoices).toEqual(['o-fail', 'o-ok']);
  });

  it('a redelivery of the committed delivery completes without running the listener again', () => {
    expect(result.redelivered).toBe('completed');
    expect(result.calls.filter((c) => c.order === 'o-ok')).toHaveLength(1);
  });
});
