import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// `npm test` builds first (pretest): this checks what a consumer of the package gets.
function runNode(script: string) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { stderr: child.stderr, out: child.stdout.trim() ? JSON.parse(child.stdout) : undefined };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('package: nestjs-messagio/testing', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };

  it('declares ./testing/jest next to ./testing', () => {
    expect(pkg.exports['./testing/jest']).toEqual({
      import: { types: './dist/testing/jest.d.ts', default: './dist/testing/jest.js' },
      require: { types: './dist/cjs/testing/jest.d.ts', default: './dist/cjs/testing/jest.js' },
    });
    for (const file of ['dist/testing/jest.js', 'dist/testing/jest.d.ts', 'dist/testing/messagio-testing.module.d.ts', 'dist/cjs/testing/jest.js', 'dist/cjs/testing/jest.d.ts']) {
      expect([file, existsSync(file)]).toEqual([file, true]);
    }
    const types = readFileSync('dist/testing/jest.d.ts', 'utf8');
    expect(types).toContain("declare module 'expect'");
    expect(types).toContain('namespace jest');
  });

  it('loads from plain Node without Jest; only the ./testing/jest entry needs Jest’s expect', () => {
    const plain = runNode(`
      const testing = await import('nestjs-messagio/testing');
      const names = ['MessagioTestingModule', 'MessagioTestHarness', 'messagioMatchers', 'MessagioRunawayError', 'startRedisServer', 'startPostgresServer'];
      const error = await import('nestjs-messagio/testing/jest').then(() => null, (e) => e.message);
      console.log(JSON.stringify({ missing: names.filter((n) => !(n in testing)), error }));
    `);
    expect(plain.stderr).toBe('');
    expect(plain.out).toEqual({ missing: [], error: expect.stringMatching(/needs Jest's global `expect`/) });

    const withExpect = runNode(`
      const registered = [];
      globalThis.expect = { extend: (matchers) => registered.push(...Object.keys(matchers)) };
      await import('nestjs-messagio/testing/jest');
      console.log(JSON.stringify(registered.sort()));
    `);
    expect(withExpect.stderr).toBe('');
    expect(withExpect.out).toEqual(['toHaveFailed', 'toHaveFired', 'toHaveHandled']);
  });

  it('never imports Jest at run time: no built module (ESM or CommonJS) imports jest, @jest/* or expect', () => {
    const offenders = files('dist')
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /from ['"](jest|@jest\/[^'"]*|expect)['"]|(import|require)\(['"](jest|@jest|expect)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('package: nestjs-messagio/outbox', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown>; peerDependenciesMeta: Record<string, unknown> };

  it('is an entry of its own, ESM and CommonJS, with pg an optional peer', () => {
    expect(pkg.exports['./outbox']).toEqual({
      import: { types: './dist/outbox/index.d.ts', default: './dist/outbox/index.js' },
      require: { types: './dist/cjs/outbox/index.d.ts', default: './dist/cjs/outbox/index.js' },
    });
    expect(pkg.peerDependenciesMeta['pg']).toEqual({ optional: true });
  });

  it('loads (import and require) and exports its API; no built file of the package loads pg or an ORM at run time', () => {
    const names = ['MessagioOutboxModule', 'MESSAGIO_OUTBOX_STORE', 'MemoryOutboxStore', 'MemoryOutboxTransaction', 'MessagioOutbox', 'OutboxRelay',
      'PostgresOutboxStore', 'OutboxMigrator', 'OUTBOX_MIGRATIONS', 'OUTBOX_SCHEMA_VERSION', 'outboxSqlNames', 'outboxExecutor',
      'fromPg', 'fromTypeOrm', 'fromDrizzle', 'fromKnex', 'fromKysely', 'fromPrisma', 'fromMikroOrm', 'MessagioInbox', 'inboxTable'];
    const loaded = runNode(`
      import { createRequire } from 'node:module';
      const esm = await import('nestjs-messagio/outbox');
      const cjs = createRequire(process.cwd() + '/')('nestjs-messagio/outbox');
      const names = ${JSON.stringify(names)};
      console.log(JSON.stringify({ esm: names.filter((n) => !(n in esm)), cjs: names.filter((n) => !(n in cjs)) }));
    `);
    expect(loaded.stderr).toBe('');
    expect(loaded.out).toEqual({ esm: [], cjs: [] });
    // drizzle-orm is loaded by fromDrizzle() on first use only (a dynamic import); @nestjs-cls/transactional at bootstrap, if installed.
    const offenders = files('dist')
      .filter((f) => f.endsWith('.js'))
      .filter((f) =>
        /^(?:import [^\n]*from |import |(?:const|var|let) \w+ = (?:__importDefault\(|__importStar\()?require\()['"](pg|typeorm|drizzle-orm|knex|kysely|@prisma\/client|@mikro-orm\/[^'"]+|@nestjs-cls\/transactional)['"]/m.test(
          readFileSync(f, 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });
});
