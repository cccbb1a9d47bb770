// The install lines CI runs in fresh NestJS 12 and 11 apps (test/consumer/install-lines.json)
// are the ones the README and docs/install.md tell users to run.
import { readFileSync } from 'node:fs';

const lines = JSON.parse(readFileSync('test/consumer/install-lines.json', 'utf8')) as Record<'nest12' | 'nest11', { app: string; tests: string }>;

describe.each(['README.md', 'docs/install.md'])('install lines in %s', (file) => {
  const text = readFileSync(file, 'utf8');
  it.each(['nest12', 'nest11'] as const)('quote the %s lines the consumer check installs', (major) => {
    expect(text).toContain(lines[major].app);
    expect(text).toContain(lines[major].tests);
  });
});

// The Jest setups docs/testing.md gives for each major are the ones the consumer apps
// (test/consumer/apps, run by `npm run test:consumer` in CI) really use.
describe('Jest setup blocks in docs/testing.md', () => {
  const text = readFileSync('docs/testing.md', 'utf8');
  const blocks = (lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

  it('NestJS 12 (ESM): the jest.config.mjs and package.json of the ESM consumer app', () => {
    expect(blocks('js')).toContain(readFileSync('test/consumer/apps/nest12-esm/jest.config.mjs', 'utf8'));
    const app = JSON.parse(readFileSync('test/consumer/apps/nest12-esm/package.json', 'utf8')) as { type: string; scripts: { test: string } };
    expect(blocks('json').map((b) => JSON.parse(b) as unknown)).toContainEqual({ type: app.type, scripts: { test: app.scripts.test } });
  });

  it('NestJS 11 (CommonJS): the jest section and test script of the CommonJS consumer app (coverage settings aside)', () => {
    const app = JSON.parse(readFileSync('test/consumer/apps/nest11-cjs/package.json', 'utf8')) as { scripts: { test: string }; jest: Record<string, unknown> };
    const { collectCoverageFrom: _from, coverageDirectory: _dir, ...jest } = app.jest;
    expect(blocks('json').map((b) => JSON.parse(b) as unknown)).toContainEqual({ scripts: { test: app.scripts.test }, jest });
  });
});
