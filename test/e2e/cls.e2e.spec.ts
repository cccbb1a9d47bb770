import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startPostgresServer, type PostgresServerHandle } from '../../lib/testing/index.js';

// A CLS context per delivery (point 2 of issue 12), proved with real nestjs-cls,
// @nestjs-cls/transactional and its Drizzle adapter over a PostgreSQL this file
// starts, on BullMQ over the test redis-server, the memory transport and the test
// harness. The app (cls-app/main.ts) runs in plain Node: those packages are
// CommonJS and require NestJS 12's ESM build, which Node ≥ 20.19 allows and
// Jest's module system does not.

const OUT = '.tmp/cls-app';

interface Scenarios {
  transactions: { outcomes: boolean[]; rows: string[]; seen: Array<Record<string, unknown>> };
  twoHops: { status: number; seen: Array<Record<string, unknown>> };
  syncInRequest: { status: number; seen: Array<Record<string, unknown>> };
}

let postgres: PostgresServerHandle;
let results: Record<'bullmq' | 'memory' | 'harness', Scenarios>;

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  const [server, build] = await Promise.all([
    startPostgresServer(),
    Promise.resolve().then(() => spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/e2e/cls-app/tsconfig.json'], { encoding: 'utf8' })),
  ]);
  postgres = server;
  if (build.status !== 0) throw new Error(`building the CLS app failed:\n${build.stdout}${build.stderr}`);
  const env: NodeJS.ProcessEnv = { ...process.env, POSTGRES_URL: postgres.url };
  delete env.NODE_OPTIONS; // Jest's --experimental-vm-modules is not for the app
  const child = spawn(process.execPath, ['--enable-source-maps', `${OUT}/test/e2e/cls-app/main.js`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`the CLS app exited with ${code}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  results = JSON.parse(line.slice('RESULT '.length)) as typeof results;
}, 120_000);

afterAll(async () => postgres?.stop());

describe.each(['bullmq', 'memory', 'harness'] as const)('a CLS context per delivery, with @nestjs-cls/transactional over PostgreSQL (%s)', (variant) => {
  it('@Transactional() in a listener commits when it succeeds and rolls back when it throws; each attempt runs in a fresh context holding its ids', () => {
    const { outcomes, rows, seen } = results[variant].transactions;
    expect(outcomes).toEqual([true, true, false]);
    // The first attempt of "retried" and both attempts of "failed" were rolled back.
    expect(rows).toEqual(['ok#1', 'retried#2']);
    expect(seen).toHaveLength(5);
    // The context under 'messagio' is the listener's MessagioContext; its ids read by path; nothing left by an
    // earlier attempt, nothing of any caller's context.
    expect(seen[0]).toEqual({ attempt: 1, context: true, ids: ['ok.messageId', 'string', null, 'ok.deliveryId'], requestOnly: undefined });
    for (const s of seen.slice(1)) expect(s).toMatchObject({ context: true, ids: ['string', 'string', null, 'string'] });
    expect(seen.map((s) => [s.attempt, s.leftover])).toEqual([
      [1, undefined],
      [1, undefined],
      [2, undefined],
      [1, undefined],
      [2, undefined],
    ]);
  });

  it('a tenant id goes from an HTTP request (nestjs-cls middleware) to a listener two hops away, through headers and propagate', () => {
    expect(results[variant].twoHops).toEqual({
      status: 201,
      seen: [
        { hop: 1, tenant: 'acme', headers: { tenantId: 'acme' } },
        { hop: 2, tenant: 'acme', headers: { tenantId: 'acme' }, causation: true },
      ],
    });
  });

  it("a sync fire inside the HTTP request: its listeners run in their own context, with only what restore() puts there (not the request's values)", () => {
    expect(results[variant].syncInRequest).toEqual({
      status: 201,
      seen: [
        { hop: 1, tenant: 'globex', headers: { tenantId: 'globex' } },
        { hop: 2, tenant: 'globex', headers: { tenantId: 'globex' }, causation: true },
      ],
    });
  });
});
