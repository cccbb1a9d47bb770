// The sample with --dashboard, opened in headless Chromium (Debian's `chromium`
// package, driven by playwright-core): bull-board must show the messagio queue
// and the refund delivery that failed for good. Saves a screenshot in .tmp/
// (sample/dashboard.png with MESSAGIO_UPDATE_SCREENSHOTS=1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// Its own build of the sample: `npm run sample` (and its test) may rebuild .tmp/sample meanwhile.
const OUT = '.tmp/dashboard-test';
// The committed picture is refreshed only on request, so a test run leaves the work tree clean.
const SCREENSHOT = process.env.MESSAGIO_UPDATE_SCREENSHOTS === '1' ? 'sample/dashboard.png' : '.tmp/dashboard.png';

interface Sample {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Builds and starts `sample/main.js --dashboard`; resolves with its URL once it serves. */
async function startDashboardSample(): Promise<Sample & { url: string; queue: string }> {
  rmSync(OUT, { recursive: true, force: true });
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'sample/tsconfig.json', '--outDir', OUT], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the sample failed:\n${build.stdout}${build.stderr}`);

  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: '' }; // its own private redis-server, as for a user
  delete env.NODE_OPTIONS; // Jest's --experimental-vm-modules is not for the sample
  const child = spawn(process.execPath, ['--enable-source-maps', `${OUT}/sample/main.js`, '--dashboard'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = /Dashboard: (http:\/\/\S+\/queues) {2}\(queue "([^"]+)"/.exec(output);
    if (ready) return { child, output: () => output, exited, url: ready[1]!, queue: ready[2]! };
    if (child.exitCode !== null) throw new Error(`the dashboard sample exited with code ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the dashboard sample did not print its URL within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The page's text once `ready(text)` holds (bull-board fills its counts in after the first paint), or the last text seen. */
async function textWhen(page: Page, ready: (text: string) => boolean, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await page.locator('body').innerText();
    if (ready(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dashboard: bull-board in the sample, seen in headless Chromium', () => {
  let sample: Awaited<ReturnType<typeof startDashboardSample>> | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let profile: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: this test drives Debian's chromium package. ` +
          'Install it with `apt-get update && apt-get install -y chromium` (bash .ci/run does so when it is missing).',
      );
    }
    sample = await startDashboardSample();
    profile = mkdtempSync(join(tmpdir(), 'messagio-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // Only the sample's server: bull-board's page also asks Google for fonts.
    await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (sample && sample.child.exitCode === null) {
      sample.child.kill('SIGTERM');
      await sample.exited;
    }
  }, 30_000);

  it('lists the messagio queue with its completed and failed deliveries', async () => {
    await page.goto(sample!.url, { waitUntil: 'domcontentloaded' });
    // 2 queued orders × (4 OrderPlaced + 2 OrderConfirmed deliveries) + the sync order's 2 OrderConfirmed ones.
    const counts = [/COMPLETED\s+14\b/, /FAILED\s+1\b/];
    const text = await textWhen(page, (t) => t.includes(sample!.queue) && counts.every((c) => c.test(t)));
    expect(text).toContain('Bull Dashboard');
    expect(text).toContain(sample!.queue);
    for (const count of counts) expect(text).toMatch(count);
  }, 30_000);

  it('shows the refund that failed for good, with its reason and attempts, and saves a screenshot', async () => {
    await page.goto(`${sample!.url}/queue/${encodeURIComponent(sample!.queue)}?status=failed`, { waitUntil: 'domcontentloaded' });
    const reason = 'TransientError: refund gateway unavailable for A-1002 (attempt 3 of 3)';
    const text = await textWhen(page, (t) => t.includes(reason) && t.includes('orders.refund-requested'));
    expect(text).toContain('orders.refund-requested'); // the job name: the message's wire name
    expect(text).toMatch(/\|refund\b/); // the job id: messageId|listenerId
    expect(text).toContain('attempt #3');
    expect(text).toContain(reason);
    expect(text).toContain(sample!.queue);
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  }, 30_000);

  it('stops cleanly on SIGTERM (exit code 0)', async () => {
    sample!.child.kill('SIGTERM');
    expect(await sample!.exited).toBe(0);
    expect(sample!.output()).toContain('SIGTERM: stopping the dashboard.');
  }, 30_000);
});
