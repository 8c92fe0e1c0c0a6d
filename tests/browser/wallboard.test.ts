import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformClient } from '../../src/index.ts';
import { type Bench, openPage, platformOf, screenshot, startBench } from './browser.ts';

/**
 * The supervisor wallboard in Chromium against a real server: a platform client of the SDK
 * defines queues and agents and submits work (agents auto-accept), and the page must show the
 * queues' figures, every agent with its load against capacity and its work, a queue's waiting
 * interactions in the engine's routing order and the explanation of one of them, follow changes
 * through the event feed, and be driven from the keyboard.
 */
let b: Bench;
beforeAll(async () => {
  b = await startBench();
}, 60_000);
afterAll(async () => {
  await b?.close();
});

/** The focused element's row key, or its id (the page's DOM, typed here without the DOM library). */
const focusedKey = (page: Page) =>
  page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { id: string; getAttribute(n: string): string | null } | null } }).document
      .activeElement;
    return active?.getAttribute('data-key') ?? active?.id ?? null;
  });

async function world(platform: PlatformClient): Promise<void> {
  await platform.defineSkill('billing');
  await platform.defineSkill('french');
  await platform.upsertQueue({
    id: 'billing',
    serviceObjective: { percent: 80, thresholdMs: 20_000 },
    offerTimeoutMs: 60_000,
    wrapUpMs: 0,
    exceptions: [{ trigger: { type: 'queueLength', threshold: 2 }, action: { type: 'setPriority', priority: 50 } }],
  });
  await platform.upsertQueue({ id: 'support', serviceObjective: { percent: 90, thresholdMs: 60_000 }, offerTimeoutMs: 60_000, wrapUpMs: 0 });
  const voice = { cost: 1, max: 1, autoAccept: true };
  await platform.upsertAgents([
    { id: 'maria', skills: { billing: 7 }, capacity: { total: 1, channels: { voice } } },
    { id: 'li', skills: { billing: 3, french: 8 }, capacity: { total: 3, channels: { chat: { cost: 1, max: 3, autoAccept: true }, voice } } },
    { id: 'omar', skills: { billing: 9 }, capacity: { total: 1, channels: { voice: { cost: 1, max: 1 } } } },
    { id: 'tom', skills: { billing: 9 }, queues: { support: {} } },
  ]);
  await platform.setAgentState(['maria', 'li'], 'available');
  await platform.setAgentState(['omar'], 'away', 'lunch');
}

describe('supervisor wallboard', () => {
  it('shows queues, agents and the waiting line live, explains a waiting call, and is driven by keyboard', async () => {
    const platform = await platformOf(b, 'wall');
    await world(platform);
    const errors: string[] = [];
    const page = await openPage(b, '/dashboard', await b.verifier.sign({ tenant: 'wall', role: 'supervisor' }, 600), { width: 1600, height: 1000 }, errors);
    await expect.poll(() => page.locator('tr[data-queue]').count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.locator('tr[data-agent]').count()).toBe(4);

    // Work arrives: maria takes the first call, the next three wait (li lacks the level, omar is
    // away, tom is offline); the third call meets the queue-length rule; li takes two chats.
    await platform.submit({ id: 'call-1', channel: 'voice', queue: 'billing', skills: { billing: 5 }, context: { caller: 'Ada' } });
    await platform.submit({ id: 'call-2', channel: 'voice', queue: 'billing', skills: { billing: 5 } });
    await platform.submit({ id: 'call-3', channel: 'voice', queue: 'billing', skills: { billing: 5 }, priority: 10 });
    await platform.submit({ id: 'call-4', channel: 'voice', queue: 'billing', skills: { billing: 5 } });
    await platform.submit({ id: 'chat-1', channel: 'chat', queue: 'support' });
    await platform.submit({ id: 'chat-2', channel: 'chat', queue: 'support' });

    const billing = page.locator('tr[data-queue="billing"]');
    await expect.poll(() => billing.locator('td').nth(1).textContent(), { timeout: 5_000 }).toBe('3');
    await expect.poll(() => billing.textContent()).toMatch(/1 exception: queueLength/);
    expect(await billing.textContent()).toMatch(/100\.0 %/); // call-1 answered at once
    const maria = page.locator('tr[data-agent="maria"]');
    await expect.poll(() => maria.textContent()).toContain('call-1 · voice · billing');
    expect(await maria.textContent()).toContain('voice 1/1');
    await expect.poll(() => page.locator('tr[data-agent="li"]').textContent()).toContain('chat 2/3');
    expect(await page.locator('tr[data-agent="omar"]').textContent()).toMatch(/away lunch/);
    expect(await page.locator('#t-occupied').textContent()).toBe('2');

    // Keyboard: into the queues, down to billing (the first queue), Enter lists its waiting line.
    await page.locator('#queues-h').focus();
    await page.keyboard.press('Tab');
    expect(await focusedKey(page)).toBe('billing');
    await page.keyboard.press('ArrowDown');
    expect(await focusedKey(page)).toBe('support');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#waiting tr[data-interaction]').count()).toBe(3);
    // The routing order, as the engine offers (this server orders first in, first out).
    const listed = (await platform.connection.request({ type: 'ListWaitingInteractions', queueId: 'billing' })).interactions as { interactionId: string }[];
    const shown = await page.locator('#waiting tr[data-interaction]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-interaction')));
    expect(shown).toEqual(listed.map((w) => w.interactionId));
    expect(shown).toEqual(['call-2', 'call-3', 'call-4']);
    expect(await focusedKey(page)).toBe('call-2');

    // Down to call-3, Enter: why it waits, agent by agent.
    await page.keyboard.press('ArrowDown');
    expect(await focusedKey(page)).toBe(shown[1]);
    await page.keyboard.press('Enter');
    const explain = page.locator('#explain');
    await expect.poll(() => explain.isVisible()).toBe(true);
    // Focus moves to the panel once its explanation has loaded (a request), after it shows.
    await expect.poll(() => focusedKey(page)).toBe('explain-h');
    await expect.poll(() => explain.locator('[data-agent]').count()).toBe(4);
    expect(await explain.locator('[data-agent="li"]').textContent()).toMatch(/billing 3, needs 5/);
    expect(await explain.locator('[data-agent="omar"]').textContent()).toMatch(/away/);
    expect(await explain.locator('[data-agent="maria"]').textContent()).toMatch(/voice full \(1 of 1\)/);
    expect(await explain.textContent()).toMatch(/2 of 4 agents are eligible; none is free/);
    await screenshot(page, 'wallboard-explain.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => explain.isVisible()).toBe(false);
    expect(await focusedKey(page)).toBe(shown[1]);

    // Live: omar comes back; the head of the line is offered to him, and the page shows it
    // without a reload; its explanation says why omar.
    await platform.setAgentState(['omar'], 'available');
    const head = page.locator('#waiting tr[data-interaction="call-2"]');
    await expect.poll(() => head.textContent(), { timeout: 5_000 }).toMatch(/offered$/);
    await expect.poll(() => page.locator('tr[data-agent="omar"]').textContent()).toContain('offered call-2');
    await head.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => explain.textContent()).toMatch(/Offered to omar at .*longest-idle picked it/);

    // Sorting and filtering the agents.
    await page.getByRole('button', { name: 'Load / capacity' }).click();
    expect(await page.locator('#agent-table th').nth(3).getAttribute('aria-sort')).toBe('ascending');
    const order = () => page.locator('#agents tr[data-agent]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')));
    expect((await order()).slice(0, 2).sort()).toEqual(['maria', 'omar']);
    expect((await order())[3]).toBe('tom');
    await page.locator('#f-state').selectOption('offline');
    expect(await order()).toEqual(['tom']);
    await page.locator('#f-state').selectOption('');
    await page.locator('#f-queue').selectOption('support');
    // tom serves support only; the others every queue.
    expect((await order()).sort()).toEqual(['li', 'maria', 'omar', 'tom']);
    await page.locator('#f-queue').selectOption('billing');
    expect((await order()).sort()).toEqual(['li', 'maria', 'omar']);
    await page.locator('#f-queue').selectOption('');
    await page.getByRole('button', { name: 'Agent' }).click();
    await head.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => explain.textContent()).toMatch(/Offered to omar/);
    await screenshot(page, 'wallboard.png');
    expect(errors).toEqual([]);
    platform.close();
  }, 90_000);

  it('loads 600 agents within the connection rate limit and keeps the socket', async () => {
    const platform = await platformOf(b, 'big');
    await platform.upsertQueue({ id: 'q' });
    const ids = Array.from({ length: 600 }, (_, i) => `a-${String(i).padStart(3, '0')}`);
    await platform.upsertAgents(ids.map((id) => ({ id })));
    await platform.setAgentState(ids.slice(0, 200), 'available');
    const errors: string[] = [];
    const page = await openPage(b, '/dashboard', await b.verifier.sign({ tenant: 'big', role: 'supervisor' }, 600), { width: 1600, height: 1000 }, errors);
    await expect.poll(() => page.locator('#agents tr[data-agent]').count(), { timeout: 30_000, interval: 500 }).toBe(600);
    await page.locator('#f-state').selectOption('available');
    expect(await page.locator('#agents tr[data-agent]').count()).toBe(200);
    // Never closed for going over the rate limit: still live, and a change still shows.
    await platform.setAgentState(['a-599'], 'available');
    await expect.poll(() => page.locator('#agents tr[data-agent]').count(), { timeout: 5_000 }).toBe(201);
    expect(await page.locator('#status').textContent()).toMatch(/^live/);
    expect(errors).toEqual([]);
    platform.close();
  }, 90_000);
});
