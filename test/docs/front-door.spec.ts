import { existsSync, readdirSync, readFileSync } from 'node:fs';

// The README is a front door: short, and every topic page of docs/ reachable from it.
describe('README, the front door', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('links every topic page of docs/, and every link into docs/ is a page that exists', () => {
    const pages = readdirSync('docs').filter((f) => f.endsWith('.md') && f !== 'README.md');
    const linked = new Set([...readme.matchAll(/\]\(docs\/([^)#]+\.md)(?:#[^)]*)?\)/g)].map((m) => m[1]!));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
    expect([...linked].filter((page) => !existsSync(`docs/${page}`))).toEqual([]);
  });
});
