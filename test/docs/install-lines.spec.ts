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
