// MessagioContractsModule.forRoot({ path }) over HTTP: the document as JSON, and the page that
// renders it with @asyncapi/react-component's standalone bundle, served from the package (no
// CDN), opened in headless Chromium (Debian's `chromium`, driven by playwright-core, as the
// dashboard test does) on the orders sample. Saves a screenshot in .tmp/ (docs/images/asyncapi.png
// with MESSAGIO_UPDATE_SCREENSHOTS=1).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { asyncApiController } from '../../lib/contracts/asyncapi.controller.js';
import { PAGE_UNAVAILABLE } from '../../lib/contracts/asyncapi-page.js';
import { MessagioContracts, MessagioContractsModule } from '../../lib/contracts/index.js';
import { AppModule } from '../../sample/app.module.js';

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
// The committed picture is refreshed only on request, so a test run leaves the work tree clean.
const SCREENSHOT = process.env.MESSAGIO_UPDATE_SCREENSHOTS === '1' ? 'docs/images/asyncapi.png' : '.tmp/asyncapi.png';

async function listen(modules: Parameters<typeof Test.createTestingModule>[0], prefix?: string): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule(modules).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  if (prefix) app.setGlobalPrefix(prefix);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** The page's text once `ready(text)` holds (the bundle renders after the first paint), or the last text seen. */
async function textWhen(page: Page, ready: (text: string) => boolean, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await page.locator('body').innerText();
    if (ready(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the AsyncAPI route and page (the orders sample, in headless Chromium)', () => {
  let server: { app: INestApplication; url: string };
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: this test drives Debian's chromium package. ` +
          'Install it with `apt-get update && apt-get install -y chromium` (bash .ci/run does so when it is missing).',
      );
    }
    server = await listen({
      imports: [AppModule.forRoot({ transport: 'memory' }), MessagioContractsModule.forRoot({ path: 'asyncapi', info: { title: 'Orders sample', version: '1.0.0' } })],
    });
    profile = mkdtempSync(join(tmpdir(), 'messagio-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1600, height: 1000 } }); // wide enough for the page's sidebar
    page = browser.pages()[0] ?? (await browser.newPage());
    // Only this server may answer: the page must need no CDN (and any other request is recorded).
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.app.close();
  }, 30_000);

  it('serves the document as JSON at /asyncapi.json', async () => {
    const response = await fetch(`${server.url}/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(server.app.get(MessagioContracts).asyncapi());
  });

  it('renders the document at /asyncapi with the bundle from the package, and saves a screenshot', async () => {
    await page.goto(`${server.url}/asyncapi`, { waitUntil: 'domcontentloaded' });
    const text = await textWhen(page, (t) => t.includes('orders.order-placed') && t.includes('Orders sample') && t.includes('receive.payment'));
    expect(text).toContain('Orders sample');
    expect(text).toContain('1.0.0');
    for (const name of ['orders.order-placed', 'orders.order-confirmed', 'messagio.fault', 'receive.payment', 'send.orders.order-placed']) expect(text).toContain(name);
    expect(outside).toEqual([]);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  }, 60_000);

  it('serves the page with a trailing slash, and under a global prefix', async () => {
    await page.goto(`${server.url}/asyncapi/`, { waitUntil: 'domcontentloaded' });
    expect(await textWhen(page, (t) => t.includes('orders.order-confirmed'))).toContain('orders.order-confirmed');
    const prefixed = await listen(
      { imports: [AppModule.forRoot({ transport: 'memory' }), MessagioContractsModule.forRoot({ path: '/docs/asyncapi/', info: { title: 'Prefixed' } })] },
      'api',
    );
    try {
      await page.goto(`${prefixed.url}/api/docs/asyncapi`, { waitUntil: 'domcontentloaded' });
      const text = await textWhen(page, (t) => t.includes('Prefixed') && t.includes('orders.order-placed'));
      expect(text).toContain('Prefixed');
      expect(text).toContain('orders.order-placed');
    } finally {
      await prefixed.app.close();
    }
    expect(outside).toEqual([]);
  }, 60_000);
});

describe('the AsyncAPI page without @asyncapi/react-component installed', () => {
  it('answers 404 saying what to install; the JSON is still served', async () => {
    // The route made as MessagioContractsModule makes it when the bundle cannot be found.
    @Module({ imports: [MessagioContractsModule.forRoot()], controllers: [asyncApiController('docs/asyncapi', undefined)] })
    class PageWithoutBundle {}
    const server = await listen({ imports: [AppModule.forRoot({ transport: 'memory' }), PageWithoutBundle] });
    try {
      for (const path of ['/docs/asyncapi', '/docs/asyncapi/asyncapi-standalone.js', '/docs/asyncapi/asyncapi.css']) {
        const response = await fetch(`${server.url}${path}`);
        expect([path, response.status]).toEqual([path, 404]);
        expect(((await response.json()) as { message: string }).message).toBe(PAGE_UNAVAILABLE);
      }
      const json = await fetch(`${server.url}/docs/asyncapi.json`);
      expect(json.status).toBe(200);
      expect(((await json.json()) as { asyncapi: string }).asyncapi).toBe('3.0.0');
    } finally {
      await server.app.close();
    }
  });
});
