import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// `npm test` builds first (pretest); this checks what a consumer of the package gets.
describe('package', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, any>;

  it('is the ESM package nestjs-messagio with the declared peers', () => {
    expect(pkg.name).toBe('nestjs-messagio');
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(
      ['@nestjs/bullmq', '@nestjs/common', '@nestjs/core', 'bullmq', 'class-transformer', 'class-validator', 'reflect-metadata'].sort(),
    );
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
  });

  it('builds to dist/ with type declarations', () => {
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts']) {
      expect([file, existsSync(file)]).toEqual([file, true]);
    }
    expect(readFileSync('dist/index.d.ts', 'utf8')).toContain('MessagioPublisher');
  });

  it('resolves both entry points by package name from plain Node ESM', () => {
    const script = `
      const main = await import('nestjs-messagio');
      const testing = await import('nestjs-messagio/testing');
      console.log(JSON.stringify({
        main: ['MessagioModule', 'Messagio', 'OnMessagio', 'MessagioPublisher', 'MessageCenter', 'MessagioPriority', 'MessagioContext', 'MessagioType'].filter((k) => !(k in main)),
        testing: Object.keys(testing).length > 0,
        priority: main.MessagioPriority,
      }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      main: [],
      testing: true,
      priority: { LOW: 0, LESS: 3, REGULAR: 5, MORE: 7, HIGH: 9, EPIC: 10 },
    });
  });
});
