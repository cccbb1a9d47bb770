import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

// The public API is what each entry point exports at run time (types aside): this list,
// kept in public-api.json, changes only on purpose. A removal or a rename is a breaking
// change for apps; an addition is listed here so that a reviewer sees it.
// After a deliberate change: UPDATE_PUBLIC_API=1 npx jest test/e2e/public-api.spec.ts
const LIST = 'test/e2e/public-api.json';

function exportsOf(entries: string[]): Record<string, string[]> {
  const script = `
    const out = {};
    for (const entry of ${JSON.stringify(entries)}) out[entry] = Object.keys(await import(entry)).filter((k) => k !== 'default').sort();
    console.log(JSON.stringify(out));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as Record<string, string[]>;
}

describe('the public API', () => {
  it('every entry point exports exactly the names listed in public-api.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };
    const entries = Object.keys(pkg.exports)
      .filter((key) => key !== './package.json' && key !== './testing/jest')
      .map((key) => (key === '.' ? 'nestjs-messagio' : `nestjs-messagio/${key.slice(2)}`));
    const actual = exportsOf(entries);
    if (process.env.UPDATE_PUBLIC_API === '1') writeFileSync(LIST, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(LIST, 'utf8')));
  });
});
