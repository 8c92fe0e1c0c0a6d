import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { buildWeb } from '../../scripts/build-web.ts';
import { PlatformClient, type WebSocketConstructor } from '../../src/index.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer } from '../helpers/server.ts';

/**
 * What the browser tests share: Debian's Chromium driven by playwright-core, a real server on a
 * free port with the web pages bundled, a platform client of the SDK, and screenshots kept in
 * test-artifacts/ (with SWITCHBOARD_DOCS_SCREENSHOTS=1 also the ones the README shows, in docs/).
 */
export const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const DOCS = new URL('../../docs/', import.meta.url).pathname;
export const WS = WebSocket as unknown as WebSocketConstructor;

export interface Bench {
  server: RunningServer;
  verifier: TokenVerifier;
  url: string;
  browser: Browser;
  http: string;
  close(): Promise<void>;
}

export async function startBench(): Promise<Bench> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set SWITCHBOARD_CHROMIUM)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildWeb();
  const { server, verifier, url } = await startTestServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    server,
    verifier,
    url,
    browser,
    http: url.replace('ws://', 'http://'),
    async close() {
      await browser.close();
      server.stop();
    },
  };
}

export async function platformOf(b: Bench, tenant: string): Promise<PlatformClient> {
  const platform = new PlatformClient({ url: b.url, WebSocket: WS, token: () => b.verifier.sign({ tenant, role: 'platform' }, 600) });
  await platform.connect();
  return platform;
}

/** A page that records its uncaught errors in `errors`. */
export async function openPage(b: Bench, path: string, token: string, viewport: { width: number; height: number }, errors: string[]): Promise<Page> {
  const page = await b.browser.newPage({ viewport });
  page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
  await page.goto(`${b.http}${path}#token=${token}`);
  return page;
}

/** A screenshot in test-artifacts/, and in docs/ as `docsName` when asked for. */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: true });
  if (docsName && process.env.SWITCHBOARD_DOCS_SCREENSHOTS === '1') copyFileSync(`${ARTIFACTS}${name}`, `${DOCS}${docsName}`);
}
