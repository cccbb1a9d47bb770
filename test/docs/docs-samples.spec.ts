import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { extractRegion, syncRepository } from '../../scripts/docs-samples.mjs';

// The checker that keeps every ```ts block of README.md and docs/ equal to a
// compiled file under docs/examples/ (`npm run lint` runs it).
const repo = resolve(import.meta.dirname, '../..');
const script = join(repo, 'scripts/docs-samples.mjs');
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('docs samples checker', () => {
  it('accepts blocks equal to their region, dedented, in list items too, and ignores non-TypeScript and nested fences', () => {
    expect(syncRepository(fixture('in-sync'))).toEqual([]);
    const cli = run('--root', fixture('in-sync'));
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('every TypeScript sample matches its file under docs/examples/');
  });

  it('fails on a stale block, a block without a marker and a missing region, each saying what to do', () => {
    const problems = syncRepository(fixture('out-of-sync'), { files: ['README.md'] });
    expect(problems).toHaveLength(3);
    const [stale, unmarked, noRegion] = problems;
    expect(stale).toMatch(/^README\.md:6: this block differs from docs\/examples\/greet\.ts#greet \(first at its line 2: /);
    expect(stale).toContain('file has "  return `Hello, ${name}`;", markdown has "  return `Hi, ${name}`;"');
    expect(stale).toContain('The file is the source: edit it, then run `npm run docs:samples -- --write`');
    expect(unmarked).toMatch(/^README\.md:14: this ```ts block has no sample marker, so it is never compiled\. To fix: /);
    expect(unmarked).toContain('write <!-- sample: docs/examples/<file>.ts#<name> --> on the line right before the block');
    expect(noRegion).toBe(
      'README.md:20: sample file docs/examples/greet.ts has no region "farewell" (its regions: greet, body); ' +
        'mark it with "// #region farewell" … "// #endregion".',
    );
  });

  it('fails on a missing file, a sample outside docs/examples and a marker that no block follows', () => {
    expect(syncRepository(fixture('out-of-sync'), { files: ['docs/more.md'] })).toEqual([
      'docs/more.md:3: sample file docs/examples/missing.ts does not exist (create it, or fix the marker).',
      'docs/more.md:8: sample sample/main.ts is not under docs/examples/, where `npm run typecheck:docs` compiles samples: move it there.',
      'docs/more.md:13: this sample marker is not on the line right before a ```ts block.',
      expect.stringMatching(/^docs\/more\.md:15: this ```ts block has no sample marker/),
    ]);
  });

  it('exits 1 from the command line, listing every problem', () => {
    const cli = run('--root', fixture('out-of-sync'));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('README.md:6: this block differs from docs/examples/greet.ts#greet');
    expect(cli.stderr).toContain('docs/more.md:3: sample file docs/examples/missing.ts does not exist');
    expect(cli.stderr).toContain('docs-samples: 7 problems in the markdown samples.');
  });

  it('--write copies the file into a stale block and leaves what it cannot fix reported', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-samples-'));
    try {
      cpSync(fixture('out-of-sync'), root, { recursive: true });
      const cli = run('--root', root, '--write');
      expect(cli.stdout).toContain('docs-samples: updated README.md');
      expect(cli.status).toBe(1);
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('<!-- sample: docs/examples/greet.ts#greet -->\n```ts\nexport function greet(name: string): string {\n  return `Hello, ${name}`;\n}\n```');
      const left = syncRepository(root);
      expect(left).toHaveLength(6);
      expect(left.some((p) => p.includes('differs'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('extracts a region without the markers of regions nested in it, and refuses malformed regions', () => {
    const source = ['// #region outer', 'a();', '  // #region inner', '  b();', '  // #endregion', '// #endregion'].join('\n');
    expect(extractRegion(source, 'outer')).toEqual({ text: 'a();\n  b();' });
    expect(extractRegion(source, 'inner')).toEqual({ text: 'b();' });
    expect(extractRegion(source, undefined)).toEqual({ text: 'a();\n  b();' });
    expect(extractRegion('// #region a\nx();', 'a').error).toBe('never closes region "a" (add "// #endregion")');
    expect(extractRegion('// #region a\n// #endregion\n// #region a\n// #endregion', 'a').error).toBe('has region "a" twice');
  });

  it('finds README.md and docs/ in sync with docs/examples', () => {
    expect(syncRepository(repo)).toEqual([]);
  });
});
