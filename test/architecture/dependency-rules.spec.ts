// The house rules are enforced by dependency-cruiser in `npm run lint`: this proves that
// breaking one fails with the rule's name (and that today's lib/ breaks none), on a copy
// of lib/ with files that break them added.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve('.');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

function copyOfLib(): string {
  const dir = mkdtempSync(join(tmpdir(), 'messagio-rules-'));
  cpSync(join(ROOT, 'lib'), join(dir, 'lib'), { recursive: true });
  cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The repository's rules as they are; symlinks kept, so that packages resolve under node_modules/ as in the repository.
  writeFileSync(
    join(dir, 'rules.cjs'),
    `const rules = require(${JSON.stringify(join(ROOT, '.dependency-cruiser.cjs'))});\nmodule.exports = { ...rules, options: { ...rules.options, preserveSymlinks: true } };\n`,
  );
  return dir;
}

function cruise(dir: string): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, ['lib', '--config', 'rules.cjs', '--output-type', 'err-long'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the house rules (dependency-cruiser, run by npm run lint)', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyOfLib();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('today’s lib/ breaks none of them', () => {
    const { status, output } = cruise(dir);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('no dependency violations found') });
  }, 120_000);

  it('each broken rule fails the run, naming the rule and saying what to do instead', () => {
    const files: Record<string, string> = {
      // A listener that knows BullMQ.
      'lib/listeners/knows-bullmq.ts': "import { Queue } from 'bullmq';\nexport const q = Queue;\n",
      // A transport that imports the (Nest-injectable) pipeline.
      'lib/transports/knows-publisher.ts': "import { MessagioPublisher } from '../delivery/messagio.publisher.js';\nexport const p = MessagioPublisher;\n",
      // A message file that knows the dispatcher.
      'lib/message/knows-dispatcher.ts': "import { MessagioDispatcher } from '../delivery/dispatcher.js';\nexport const d = MessagioDispatcher;\n",
      // Two files in a loop.
      'lib/message/loop-a.ts': "import { b } from './loop-b.js';\nexport const a = (): unknown => b;\n",
      'lib/message/loop-b.ts': "import { a } from './loop-a.js';\nexport const b = (): unknown => a;\n",
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const { status, output } = cruise(dir);
    expect(status).not.toBe(0);
    for (const rule of ['listeners-know-no-bullmq', 'bullmq-only-in-its-room', 'transports-know-no-nest-di', 'messages-know-no-queue', 'no-circular']) {
      expect([rule, output.includes(`error ${rule}:`)]).toEqual([rule, true]);
    }
    // err-long prints each rule's comment: what to do instead.
    expect(output.replace(/\s+/g, ' ')).toContain('Listeners are discovered, resolved and registered the same way');
    expect(output).toContain('lib/listeners/knows-bullmq.ts');
  }, 120_000);
});
