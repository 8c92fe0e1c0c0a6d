import { describe, expect, it } from 'vitest';
import { ORDERING_POLICIES, type OrderingPolicy } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

/**
 * ListWaitingInteractions (engine.waitingInteractions): a queue's waiting interactions in routing
 * order. The order is checked against the engine itself: one agent who may take all of them is
 * freed again and again, and the interactions it is offered, one after the other, must be the
 * listed queued ones in the listed order.
 */

/** A tiny seeded PRNG (mulberry32): the same worlds every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Frees agent `a` for one interaction at a time; the ids it is offered, in order. */
function served(h: Harness, n: number): string[] {
  const out: string[] = [];
  h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'available' });
  for (let i = 0; i < n; i++) {
    const iid = h.engine.agentLoad('a')!.offers[0]?.interactionId;
    if (!iid) break;
    out.push(iid);
    h.acceptOffer(iid);
    h.ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: iid });
  }
  return out;
}

const queuedIds = (h: Harness, queue = 'q', limit = 500) =>
  h.engine
    .waitingInteractions(queue, limit)!
    .interactions.filter((w) => w.state === 'queued')
    .map((w) => w.interactionId);

describe('ListWaitingInteractions: routing order', () => {
  for (const ordering of ORDERING_POLICIES as readonly OrderingPolicy[]) {
    it(`${ordering}: the listed order is the order the engine offers in (random worlds)`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const rnd = prng(seed * 7919);
        const h = new Harness({ ordering, valueTierBoostMs: [0, 5_000, 20_000], priorityBoostMs: 1_000 })
          .skills('billing', 'french')
          .queue('q', { serviceObjective: { percent: 80, thresholdMs: 30_000 }, escalateAfterMs: 200_000, wrapUpMs: 0 })
          .agent('a', { skills: { billing: 9, french: 9 } }, false);
        const n = 5 + Math.floor(rnd() * 20);
        let t = 0;
        for (let i = 0; i < n; i++) {
          t += Math.floor(rnd() * 20_000);
          const r = rnd();
          // Several signatures in one queue: none, one skill, two skills.
          const skills: Record<string, number> = r < 0.3 ? {} : r < 0.6 ? { billing: 3 } : { billing: 2, french: 1 };
          h.at(t).submit(`i${i}`, {
            skills,
            priority: Math.floor(rnd() * 4) * 10,
            valueTier: Math.floor(rnd() * 3),
            ...(rnd() < 0.2 ? { slaDeadline: t + Math.floor(rnd() * 60_000) } : {}),
          });
        }
        // Time passes: some are late or escalated now (bands), which the order must follow.
        h.tick(t + Math.floor(rnd() * 250_000));
        const listed = queuedIds(h);
        expect(listed.length).toBe(n);
        expect(served(h, n), `seed ${seed}`).toEqual(listed);
      }
    });
  }

  it('offered first, then queued in routing order, then held by the end of their hold; limit bounds the list, total counts all', () => {
    const h = new Harness({ ordering: 'priority-age' }).queue('q', { offerTimeoutMs: 60_000 }).agent('a', {}, false).agent('b', {}, false);
    h.at(0).submit('low-old', { priority: 1 });
    h.at(1_000).submit('held-late', { notBefore: 500_000 });
    h.at(2_000).submit('high', { priority: 9 });
    h.at(3_000).submit('held-soon', { notBefore: 100_000 });
    h.at(4_000).submit('low-new', { priority: 1 });
    h.at(5_000).ok({ type: 'SetAgentState', agentIds: ['b'], state: 'available' });
    expect(h.engine.interaction('high')!.status).toBe('offered');
    const list = h.engine.waitingInteractions('q', 500, 10_000)!;
    expect(list.total).toBe(5);
    expect(list.interactions.map((w) => [w.interactionId, w.state])).toEqual([
      ['high', 'offered'],
      ['low-old', 'queued'],
      ['low-new', 'queued'],
      ['held-soon', 'held'],
      ['held-late', 'held'],
    ]);
    expect(list.interactions[0]).toEqual({
      interactionId: 'high',
      channel: 'voice',
      priority: 9,
      valueTier: 0,
      band: 'normal',
      waitedMs: 8_000,
      state: 'offered',
      notBefore: null,
    });
    expect(list.interactions[3].notBefore).toBe(100_000);
    const two = h.engine.waitingInteractions('q', 2, 10_000)!;
    expect(two.total).toBe(5);
    expect(two.interactions.map((w) => w.interactionId)).toEqual(['high', 'low-old']);
    expect(h.engine.waitingInteractions('nope', 10)).toBeNull();
    expect(h.engine.waitingInteractions('q', 10)!.interactions.every((w) => w.interactionId !== 'gone')).toBe(true);
  });

  it('queue stats estimate the next wait from the waiting, the average handle time and the logged-in members', () => {
    const h = new Harness().queue('q', { wrapUpMs: 0 }).agent('a').agent('b', {}, false);
    expect(h.engine.queueStats('q')!.estimatedWaitMs).toBe(0);
    h.at(0).submit('x');
    h.acceptOffer('x');
    h.at(60_000).ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'x' });
    h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'away' });
    h.submit('y');
    h.submit('z');
    // Two waiting × 60 s ÷ one logged-in member (a is away, b offline).
    expect(h.engine.queueStats('q')!.estimatedWaitMs).toBe(120_000);
    h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'offline' });
    expect(h.engine.queueStats('q')!.estimatedWaitMs).toBeNull();
  });

  it("an agent's load names each offer's and assignment's queue, channel and since when, and its capacity per channel", () => {
    const h = new Harness()
      .queue('q', { offerTimeoutMs: 30_000 })
      .agent('a', { capacity: { total: 3, channels: { chat: { cost: 1, max: 3 }, voice: { cost: 3, max: 1 } } } });
    h.at(1_000).submit('c1', { channel: 'chat' });
    h.at(2_000).acceptOffer('c1');
    h.at(3_000).submit('c2', { channel: 'chat' });
    const load = h.engine.agentLoad('a')!;
    expect(load.capacity).toEqual({ chat: 3, voice: 1 });
    expect(load.assigned).toEqual([{ interactionId: 'c1', offerId: expect.any(String), queueId: 'q', channel: 'chat', since: 2_000 }]);
    expect(load.offers).toEqual([{ offerId: expect.any(String), interactionId: 'c2', expiresAt: 33_000, queueId: 'q', channel: 'chat', since: 3_000 }]);
  });
});
