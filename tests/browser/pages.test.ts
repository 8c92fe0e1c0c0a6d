import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PlatformClient, type WebSocketConstructor } from '../../src/index.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import { ARTIFACTS, type Bench, startBench } from './browser.ts';

/**
 * Both web pages end to end in Debian's Chromium, driven by playwright-core: a platform client
 * submits, the agent page shows the offer and accepts it, the dashboard's numbers move. The
 * SDK runs in the browser here (bundled by esbuild), as it does for users. Screenshots go to
 * test-artifacts/.
 */
let b: Bench;
let verifier: TokenVerifier;
let url: string;
let browser: Browser;

beforeAll(async () => {
  b = await startBench();
  ({ verifier, url, browser } = b);
}, 60_000);

afterAll(async () => {
  await b?.close();
});

const http = () => url.replace('ws://', 'http://');
const tile = (page: Page, id: string) => page.locator(`#${id}`);

describe('web pages in a browser', () => {
  it('an interaction submitted by a platform reaches the agent page, is accepted and completed; the dashboard follows', async () => {
    const platform = new PlatformClient({
      url,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      token: () => verifier.sign({ tenant: 'web', role: 'platform' }, 600),
    });
    await platform.connect();
    await platform.defineSkill('billing');
    await platform.upsertQueue({ id: 'billing', serviceObjective: { percent: 80, thresholdMs: 20_000 }, offerTimeoutMs: 60_000, wrapUpMs: 0 });
    await platform.upsertAgent({ id: 'maria', skills: { billing: 7 } });

    const dashboard = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    dashboard.on('pageerror', (e) => errors.push(`dashboard: ${e.message}`));
    await dashboard.goto(`${http()}/dashboard#token=${await verifier.sign({ tenant: 'web', role: 'supervisor' }, 600)}`);
    await expect.poll(() => dashboard.locator('tr[data-queue="billing"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await tile(dashboard, 't-answered').textContent()).toBe('0');

    // The agent desktop at a phone's size.
    const agent = await browser.newPage({ viewport: { width: 390, height: 844 } });
    agent.on('pageerror', (e) => errors.push(`agent: ${e.message}`));
    await agent.goto(`${http()}/agent#token=${await verifier.sign({ tenant: 'web', role: 'agent', sub: 'maria' }, 600)}`);
    await expect.poll(() => agent.locator('#status').textContent(), { timeout: 20_000 }).toBe('connected');
    expect(await agent.locator('#who').textContent()).toContain('maria');
    expect(await agent.locator('#login').isVisible()).toBe(false);
    expect(await dashboard.locator('#login').isVisible()).toBe(false);
    await agent.getByRole('button', { name: 'Available' }).click();
    await expect.poll(() => agent.locator('#state').textContent()).toBe('available');
    await expect.poll(() => dashboard.locator('tr[data-agent="maria"]').getAttribute('data-state'), { timeout: 5_000 }).toBe('available');

    await platform.submit({
      id: 'call-77',
      channel: 'voice',
      queue: 'billing',
      skills: { billing: 5 },
      context: { caller: 'Ada Lovelace', account: 'A-1815' },
      customerId: 'ada',
    });
    const offer = agent.locator('[data-offer]');
    await expect.poll(() => offer.count(), { timeout: 5_000 }).toBe(1);
    expect(await offer.textContent()).toContain('Ada Lovelace');
    expect(await offer.locator('.countdown').textContent()).toMatch(/^\d+ s to answer$/);
    await agent.screenshot({ path: `${ARTIFACTS}agent-offer.png` });
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => agent.locator('[data-interaction="call-77"]').count(), { timeout: 5_000 }).toBe(1);
    expect(await offer.count()).toBe(0);
    expect(await platform.getInteraction('call-77')).toMatchObject({ interaction: { status: 'assigned', agentId: 'maria' } });

    // The dashboard: answered 1, one agent busy, a routed rate above zero, service level 100 %.
    await expect.poll(() => tile(dashboard, 't-answered').textContent(), { timeout: 5_000 }).toBe('1');
    await expect.poll(() => tile(dashboard, 't-occupied').textContent(), { timeout: 5_000 }).toBe('1');
    expect(await tile(dashboard, 't-idle').textContent()).toBe('0');
    expect(Number(await tile(dashboard, 't-rate').textContent())).toBeGreaterThan(0);
    expect(await dashboard.locator('tr[data-queue="billing"]').textContent()).toContain('100.0 %');
    await dashboard.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    await agent.locator('[data-interaction="call-77"]').getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => agent.locator('[data-interaction]').count(), { timeout: 5_000 }).toBe(0);
    expect(await platform.getInteraction('call-77')).toMatchObject({ interaction: { status: 'completed' } });
    await expect.poll(() => tile(dashboard, 't-occupied').textContent(), { timeout: 5_000 }).toBe('0');

    // A second offer, from the same customer: the page shows the first call beside it; rejected
    // from the page, it goes back to the queue and waits.
    await platform.submit({ id: 'call-78', channel: 'voice', queue: 'billing', skills: { billing: 5 }, customerId: 'ada' });
    await expect.poll(() => offer.count(), { timeout: 5_000 }).toBe(1);
    expect(await offer.locator('[data-journey="call-77"]').textContent()).toMatch(/^voice billing · completed · with maria · .* ago$/);
    await agent.screenshot({ path: `${ARTIFACTS}agent-journey.png` });
    await offer.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => offer.count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => tile(dashboard, 't-waiting').textContent(), { timeout: 5_000 }).toBe('1');
    await agent.screenshot({ path: `${ARTIFACTS}agent-after.png` });
    expect(errors).toEqual([]);
    platform.close();
  }, 60_000);

  it('asks for a token when the URL has none, and serves the pages with a strict content policy', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${http()}/agent`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    await page.locator('#token').fill('not-a-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 5_000 }).toMatch(/cannot connect/);
  });
});
