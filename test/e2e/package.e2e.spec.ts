import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// `npm test` builds first (pretest); this checks what a consumer of the package gets.
describe('package', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, any>;

  it('is the ESM package nestjs-messagio with the declared peers', () => {
    expect(pkg.name).toBe('nestjs-messagio');
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(
      ['@nestjs/bullmq', '@nestjs/common', '@nestjs/core', '@nestjs/terminus', 'bullmq', 'class-transformer', 'class-validator', 'reflect-metadata'].sort(),
    );
    expect(pkg.peerDependenciesMeta).toEqual({ '@nestjs/terminus': { optional: true } });
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
    expect(pkg.exports['./health']).toEqual({ types: './dist/health/index.d.ts', default: './dist/health/index.js' });
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
    expect(importers).toEqual(['health/messagio-health.indicator.js']);
  });

  it('builds to dist/ with type declarations', () => {
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts']) {
      expect([file, existsSync(file)]).toEqual([file, true]);
    }
    expect(readFileSync('dist/index.d.ts', 'utf8')).toContain('MessagioPublisher');
  });

  // A NestJS 11 app is usually compiled to CommonJS: it require()s this ESM package (Node >= 20.19).
  it('loads every entry point with require() from CommonJS', () => {
    const script = `
      const main = require('nestjs-messagio');
      const testing = require('nestjs-messagio/testing');
      const health = require('nestjs-messagio/health');
      console.log(JSON.stringify([typeof main.MessagioModule, typeof testing.startRedisServer, typeof health.MessagioHealthIndicator]));
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(['function', 'function', 'function']);
  });

  it('resolves every entry point by package name from plain Node ESM', () => {
    const script = `
      const main = await import('nestjs-messagio');
      const testing = await import('nestjs-messagio/testing');
      const health = await import('nestjs-messagio/health');
      console.log(JSON.stringify({
        main: ['MessagioModule', 'Messagio', 'OnMessagio', 'MessagioPublisher', 'MessageCenter', 'MessagioPriority', 'MessagioContext', 'MessagioType'].filter((k) => !(k in main)),
        testing: Object.keys(testing).length > 0,
        health: typeof health.MessagioHealthIndicator,
        priority: main.MessagioPriority,
      }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      main: [],
      testing: true,
      health: 'function',
      priority: { LOW: 0, LESS: 3, REGULAR: 5, MORE: 7, HIGH: 9, EPIC: 10 },
    });
  });
});
