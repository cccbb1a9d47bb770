import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// `npm test` builds first (pretest); this checks what a consumer of the package gets.
describe('package', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, any>;

  it('is the ESM package nestjs-messagio with the declared peers', () => {
    expect(pkg.name).toBe('nestjs-messagio');
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(
      [
        '@asyncapi/react-component',
        '@nestjs/bullmq',
        '@nestjs/common',
        '@nestjs/core',
        '@nestjs/terminus',
        'bullmq',
        'class-transformer',
        'class-validator',
        'nestjs-cls',
        'pg',
        'reflect-metadata',
      ].sort(),
    );
    // pg: only for the PostgreSQL backend (backend: { postgres }).
    expect(pkg.peerDependenciesMeta).toEqual({
      '@asyncapi/react-component': { optional: true },
      '@nestjs/terminus': { optional: true },
      'nestjs-cls': { optional: true },
      pg: { optional: true },
    });
    expect(pkg.bin).toEqual({ 'nestjs-messagio': './dist/cli/main.js' });
  });

  it('depends on class-validator-jsonschema (loaded by the contracts entry only) and on cron-parser, at the version BullMQ computes its schedules with', () => {
    const bullmq = JSON.parse(readFileSync('node_modules/bullmq/package.json', 'utf8')) as { dependencies: Record<string, string> };
    // See 'loads class-validator-jsonschema only from the contracts entry'.
    expect(pkg.dependencies).toEqual({ 'class-validator-jsonschema': '^5.2.0', 'cron-parser': bullmq.dependencies['cron-parser'] });
  });

  // `import` gets the ESM build, `require` the CommonJS one (dist/cjs/), each with types of its own format.
  it('maps every entry point to the ESM build for import and the CommonJS build for require', () => {
    const entry = (path: string) => ({
      import: { types: `./dist/${path}.d.ts`, default: `./dist/${path}.js` },
      require: { types: `./dist/cjs/${path}.d.ts`, default: `./dist/cjs/${path}.js` },
    });
    expect(pkg.exports).toEqual({
      '.': entry('index'),
      './testing': entry('testing/index'),
      './testing/jest': entry('testing/jest'),
      './health': entry('health/index'),
      './contracts': entry('contracts/index'),
      './outbox': entry('outbox/index'),
      './package.json': './package.json',
    });
    expect(JSON.parse(readFileSync('dist/cjs/package.json', 'utf8'))).toEqual({ type: 'commonjs' });
    // Resolvers that ignore `exports` (TypeScript's node10): main and types are the CommonJS build, subpaths via typesVersions.
    expect([pkg.main, pkg.types]).toEqual(['./dist/cjs/index.js', './dist/cjs/index.d.ts']);
    expect(pkg.typesVersions).toEqual({
      '*': {
        testing: ['./dist/cjs/testing/index.d.ts'],
        'testing/jest': ['./dist/cjs/testing/jest.d.ts'],
        health: ['./dist/cjs/health/index.d.ts'],
        contracts: ['./dist/cjs/contracts/index.d.ts'],
        outbox: ['./dist/cjs/outbox/index.d.ts'],
      },
    });
  });

  it('supports NestJS 11 and 12', () => {
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/terminus']) expect([name, pkg.peerDependencies[name]]).toEqual([name, '^11.0.0 || ^12.0.0']);
    // @nestjs/bullmq 11.0.5 is the first 11.x whose peer range admits bullmq 6.
    expect(pkg.peerDependencies['@nestjs/bullmq']).toBe('^11.0.5 || ^12.0.0');
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('loads @nestjs/terminus only from the health entry', () => {
    const importers = readdirSync('dist', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.js') && /(from|import\(|require\()\s*['"]@nestjs\/terminus['"]/.test(readFileSync(`dist/${file}`, 'utf8')))
      .sort();
    expect(importers).toEqual(['cjs/health/messagio-health.indicator.js', 'health/messagio-health.indicator.js']);
  });

  it('loads class-validator-jsonschema and @asyncapi/* only from the contracts entry', () => {
    const importers = readdirSync('dist', { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.js') && /(from|import\(|require\()\s*['"](class-validator-jsonschema|@asyncapi\/)/.test(readFileSync(`dist/${file}`, 'utf8')))
      .sort();
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((file) => !/^(cjs\/)?contracts\//.test(file))).toEqual([]);
    // And the main entry never reaches the contracts room (or the command) through its imports.
    const script = `
      await import('nestjs-messagio');
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('class-validator-jsonschema'));
      console.log(JSON.stringify(loaded));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([]);
  });

  it('builds to dist/ with type declarations', () => {
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts']) {
      expect([file, existsSync(file)]).toEqual([file, true]);
    }
    expect(readFileSync('dist/index.d.ts', 'utf8')).toContain('MessagioPublisher');
  });

  // A NestJS 11 app is usually compiled to CommonJS: require() gets the CommonJS build, and
  // every entry point loads its files from that one copy (a single MessagioModule class).
  it('loads every entry point with require() from CommonJS, all from dist/cjs', () => {
    const script = `
      const main = require('nestjs-messagio');
      const testing = require('nestjs-messagio/testing');
      const health = require('nestjs-messagio/health');
      const contracts = require('nestjs-messagio/contracts');
      require('nestjs-messagio/package.json');
      const dist = require('path').resolve('dist') + '/';
      const loaded = Object.keys(require.cache).filter((f) => f.startsWith(dist)).map((f) => f.slice(dist.length));
      console.log(JSON.stringify({
        types: [typeof main.MessagioModule, typeof testing.startRedisServer, typeof health.MessagioHealthIndicator, typeof contracts.MessagioContractsModule],
        outsideCjs: loaded.filter((f) => !f.startsWith('cjs/')),
        entries: ['cjs/index.js', 'cjs/testing/index.js', 'cjs/health/index.js', 'cjs/contracts/index.js'].filter((f) => loaded.includes(f)),
      }));
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      types: ['function', 'function', 'function', 'function'],
      outsideCjs: [],
      entries: ['cjs/index.js', 'cjs/testing/index.js', 'cjs/health/index.js', 'cjs/contracts/index.js'],
    });
  });

  // CommonJS Jest has no require(esm) on Node 20: it needs a CommonJS build. Node's
  // --no-experimental-require-module stands for it. On NestJS 11 everything then loads; on
  // NestJS 12 (ESM-only) loading stops at @nestjs/common, after this package's own files ran as CommonJS.
  it('loads with require() where Node cannot require ESM (as in CommonJS Jest)', () => {
    const script = `require('nestjs-messagio'); console.log('loaded');`;
    const child = spawnSync(process.execPath, ['--no-experimental-require-module', '-e', script], { encoding: 'utf8' });
    const nestMajor = (JSON.parse(readFileSync('node_modules/@nestjs/core/package.json', 'utf8')) as { version: string }).version.split('.')[0];
    if (nestMajor === '11') {
      expect([child.stderr, child.stdout.trim()]).toEqual(['', 'loaded']);
    } else {
      expect(child.stderr).toMatch(/ERR_REQUIRE_ESM[^\n]*node_modules\/@nestjs\/common\/index\.js from \S+\/dist\/cjs\/messagio\.module\.js/);
    }
  });

  // Stack traces in a user's app name lib/**/*.ts (source maps); the package ships no lib/, so
  // the maps carry the sources: a debugger or `node --enable-source-maps` can show them.
  it('ships the TypeScript sources inside its source maps', () => {
    const maps = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js.map'));
    expect(maps).toContain('delivery/dispatcher.js.map');
    expect(maps).toContain('cjs/delivery/dispatcher.js.map');
    const wrong = maps.filter((file) => {
      const map = JSON.parse(readFileSync(`dist/${file}`, 'utf8')) as { sources: string[]; sourcesContent?: string[] };
      const sources = map.sources.map((s) => resolve(dirname(`dist/${file}`), s));
      return !(sources.length === 1 && sources[0].startsWith(resolve('lib') + '/') && map.sourcesContent?.[0] === readFileSync(sources[0], 'utf8'));
    });
    expect(wrong).toEqual([]);
  });

  // What npm publish uploads: both builds with their maps and types, README, LICENSE; no sources, tests or scripts.
  it('packs dist/ (both builds) and nothing else but README, LICENSE and package.json', () => {
    const child = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    const packed = (JSON.parse(child.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(packed.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    const targets = JSON.stringify(pkg.exports).match(/\.\/dist\/[^"]+/g) ?? [];
    expect(targets.filter((t) => !packed.includes(t.slice(2)))).toEqual([]);
    for (const file of ['dist/cjs/package.json', 'dist/delivery/dispatcher.js.map', 'dist/cjs/delivery/dispatcher.js.map']) expect(packed).toContain(file);
  });

  it('resolves every entry point by package name from plain Node ESM', () => {
    const script = `
      const main = await import('nestjs-messagio');
      const testing = await import('nestjs-messagio/testing');
      const health = await import('nestjs-messagio/health');
      const contracts = await import('nestjs-messagio/contracts');
      console.log(JSON.stringify({
        main: ['MessagioModule', 'Messagio', 'OnMessagio', 'MessagioPublisher', 'MessageCenter', 'MessagioPriority', 'MessagioContext', 'MessagioType', 'MessagioUpcast'].filter((k) => !(k in main)),
        testing: Object.keys(testing).length > 0,
        health: typeof health.MessagioHealthIndicator,
        contracts: ['MessagioContractsModule', 'MessagioContracts', 'compareContracts', 'changesTable', 'readSnapshot'].filter((k) => !(k in contracts)),
        priority: main.MessagioPriority,
      }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      main: [],
      testing: true,
      health: 'function',
      contracts: [],
      priority: { LOW: 0, LESS: 3, REGULAR: 5, MORE: 7, HIGH: 9, EPIC: 10 },
    });
  });
});
