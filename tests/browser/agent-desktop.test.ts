import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bench, openPage, platformOf, screenshot, startBench } from './browser.ts';

/**
 * The agent desktop in Chromium against a real server, with a platform client of the SDK
 * submitting work: three chats held at once, each its own panel with its context; a quiet
 * conversation shown as such (the `activity` push); a completion with a disposition code and a
 * note, which the customer's journey then shows beside their next offer, a call; a manual
 * wrap-up ended from the page; and a reload that brings every conversation back with its context.
 */
let b: Bench;
beforeAll(async () => {
  b = await startBench();
}, 60_000);
afterAll(async () => {
  await b?.close();
});

describe('agent desktop', () => {
  it('holds several chats at once, completes with a disposition and a note, shows the journey beside the next offer, and ends a manual wrap-up', async () => {
    const platform = await platformOf(b, 'desk');
    await platform.upsertQueue({ id: 'support', offerTimeoutMs: 60_000, wrapUpMs: 0 });
    await platform.upsertQueue({ id: 'billing', offerTimeoutMs: 60_000, wrapUpMode: 'manual' });
    // One call and up to three chats, a quiet chat holding no room (up to two quiet at once).
    await platform.upsertAgent({
      id: 'li',
      capacity: { total: 3, channels: { chat: { cost: 1, max: 3, inactiveMax: 2 }, voice: { cost: 1, max: 1 } } },
    });
    const errors: string[] = [];
    const page = await openPage(b, '/agent', await b.verifier.sign({ tenant: 'desk', role: 'agent', sub: 'li' }, 600), { width: 1280, height: 900 }, errors);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000 }).toBe('connected');
    await page.getByRole('button', { name: 'Available' }).click();
    await expect.poll(() => page.locator('#state').textContent()).toBe('available');

    const chats = [
      { id: 'chat-1', customerId: 'ada', context: { name: 'Ada Lovelace', topic: 'refund for order 1815' } },
      { id: 'chat-2', customerId: 'bob', context: { name: 'Bob Babbage', topic: 'delivery date' } },
      { id: 'chat-3', customerId: 'cy', context: { name: 'Cy Hopper', topic: 'password reset' } },
    ];
    for (const c of chats) {
      await platform.submit({ id: c.id, channel: 'chat', queue: 'support', customerId: c.customerId, context: c.context });
      const offer = page.locator('[data-offer]');
      await expect.poll(() => offer.count(), { timeout: 5_000 }).toBe(1);
      expect(await offer.textContent()).toContain(c.context.name);
      await offer.getByRole('button', { name: 'Accept' }).click();
      await expect.poll(() => page.locator(`article[data-interaction="${c.id}"]`).count(), { timeout: 5_000 }).toBe(1);
    }
    // Three panels side by side, each with its own context.
    const panel = (id: string) => page.locator(`article[data-interaction="${id}"]`);
    for (const c of chats) expect(await panel(c.id).textContent()).toContain(c.context.topic);
    const boxes = await Promise.all(chats.map((c) => panel(c.id).boundingBox()));
    expect(new Set(boxes.map((x) => x?.y)).size).toBe(1);
    expect(await page.locator('#work-count').textContent()).toBe('(3: 3 active)');

    // Bob goes quiet: his panel says so, and li has room for a call beside the other two.
    await platform.update('chat-2', { active: false });
    await expect.poll(() => panel('chat-2').getAttribute('data-state'), { timeout: 5_000 }).toBe('inactive');
    expect(await panel('chat-2').locator('.activity').textContent()).toBe('quiet (inactive)');
    expect(await page.locator('#work-count').textContent()).toBe('(3: 2 active)');

    // Ada's chat completed with a disposition code and a note.
    await panel('chat-1').getByLabel('Disposition code for chat-1').fill('refund_issued');
    await panel('chat-1').getByLabel('Note for chat-1').fill('Refunded order 1815 in full');
    await panel('chat-1').getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => panel('chat-1').count(), { timeout: 5_000 }).toBe(0);
    expect((await platform.getInteractionHistory('chat-1')).history).toMatchObject({
      status: 'completed',
      disposition: 'refund_issued',
      note: 'Refunded order 1815 in full',
    });

    // Ada calls: the offer shows her chat beside it, with its disposition.
    await platform.submit({ id: 'call-1', channel: 'voice', queue: 'billing', customerId: 'ada', context: { caller: '+44 20 7946 0018' } });
    const offer = page.locator('[data-offer]');
    await expect.poll(() => offer.count(), { timeout: 5_000 }).toBe(1);
    expect(await offer.locator('[data-journey="chat-1"]').textContent()).toMatch(/^chat support · completed · refund_issued · with li · .* ago$/);
    expect(await offer.locator('.journey h3').textContent()).toBe('Recently: 1 interaction (chat)');
    await screenshot(page, 'agent.png', 'agent.png');
    await offer.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => panel('call-1').count(), { timeout: 5_000 }).toBe(1);
    expect(await panel('call-1').locator('[data-journey="chat-1"]').count()).toBe(1);

    // A reload: every conversation comes back with its context (the server re-sends them).
    await page.reload();
    await expect.poll(() => page.locator('article[data-interaction]').count(), { timeout: 10_000 }).toBe(3);
    expect(await panel('chat-3').textContent()).toContain('password reset');
    expect(await panel('call-1').textContent()).toContain('+44 20 7946 0018');
    await expect.poll(() => panel('chat-2').getAttribute('data-state')).toBe('inactive');

    // The call completed: its queue's wrap-up is manual, so it lasts until li ends it.
    await panel('call-1').getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => panel('call-1').getAttribute('data-state'), { timeout: 5_000 }).toBe('wrap_up');
    await expect.poll(() => page.locator('#state').textContent()).toBe('wrap-up');
    expect(await panel('call-1').locator('.wrap-left').textContent()).toBe('Wrap-up: until you end it');
    await screenshot(page, 'agent-wrap-up.png');
    await panel('call-1').getByRole('button', { name: 'End wrap-up' }).click();
    await expect.poll(() => page.locator('#state').textContent(), { timeout: 5_000 }).toBe('available');
    await expect.poll(() => panel('call-1').count()).toBe(0);
    expect(await page.locator('article[data-interaction]').count()).toBe(2);
    expect(errors).toEqual([]);
    platform.close();
  }, 90_000);
});
