import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

/** Two queues a and b; agent x serves a at level 1 and b at level 2 (delay `delayMs` in b). */
function profile(delayMs = 0, ordering: 'fifo' | 'service-objective' = 'fifo') {
  const h = new Harness({ ordering }).queue('a').queue('b');
  h.agent('x', { queues: { a: { priority: 1 }, b: { priority: 2, delayMs } } }, false);
  return h;
}

describe('queue membership', () => {
  it('an agent that lists queues serves only those; a members-only queue only its members', () => {
    const h = new Harness().queue('a').queue('b').queue('vip', { membersOnly: true });
    h.agent('listsA', { queues: { a: {} } });
    h.agent('general');
    h.submit('i-b', { queue: 'b' });
    expect(h.offerOf('i-b').agentId).toBe('general');
    h.submit('i-vip', { queue: 'vip' });
    expect(h.status('i-vip')).toBe('queued');
    const x = h.engine.explain('i-vip')!;
    expect(x.agents.find((r) => r.agentId === 'general')!.reasons).toContainEqual({ reason: 'not_member', queue: 'vip', membersOnly: true });
    expect(x.agents.find((r) => r.agentId === 'listsA')!.reasons).toEqual([{ reason: 'not_member', queue: 'vip', membersOnly: true }]);
    h.agent('vipAgent', { queues: { vip: {} } });
    expect(h.offerOf('i-vip').agentId).toBe('vipAgent');
  });

  it('turning membersOnly on or off relinks the queue at once', () => {
    const h = new Harness().queue('q', { membersOnly: true }).agent('general');
    h.submit('i1');
    expect(h.status('i1')).toBe('queued');
    const ev = h.ok({ type: 'UpsertQueue', queue: { id: 'q', membersOnly: false } });
    expect(Harness.offers(ev)).toEqual({ i1: 'general' });
    h.acceptOffer('i1');
    h.ok({ type: 'UpsertQueue', queue: { id: 'q', membersOnly: true } });
    h.submit('i2');
    h.ok({ type: 'CompleteInteraction', agentId: 'general', interactionId: 'i1' });
    expect(h.status('i2')).toBe('queued');
  });

  it('a freed agent takes its best level first, whatever the global order says', () => {
    const h = profile();
    h.at(0).submit('old-b', { queue: 'b' });
    h.at(10).submit('new-a', { queue: 'a' });
    h.at(20).ok({ type: 'SetAgentState', agentIds: ['x'], state: 'available' });
    expect(h.offerOf('new-a').agentId).toBe('x'); // fifo would pick old-b
    h.at(30).submit('newer-a', { queue: 'a' });
    const x = h.engine.explain('old-b')!;
    expect(x.agents[0].reasons).toContainEqual({ reason: 'lower_queue_level', level: 2, better: { interactionId: 'newer-a', queue: 'a', level: 1 } });
  });

  it('worse-level work is taken when no better level has any (no idle agent waits for it)', () => {
    const h = profile();
    h.ok({ type: 'SetAgentState', agentIds: ['x'], state: 'available' });
    h.submit('only-b', { queue: 'b' });
    expect(h.offerOf('only-b').agentId).toBe('x');
  });

  it('after its delay, worse-level work competes with the best level by the global order', () => {
    const h = profile(30_000);
    h.at(0).submit('b1', { queue: 'b' });
    h.at(1000).submit('a1', { queue: 'a' });
    h.at(29_999).ok({ type: 'SetAgentState', agentIds: ['x'], state: 'available' });
    expect(h.offerOf('a1').agentId).toBe('x'); // b1 has not waited 30 s
    h.acceptOffer('a1');
    h.at(29_999).submit('a2', { queue: 'a' });
    h.at(30_000).ok({ type: 'CompleteInteraction', agentId: 'x', interactionId: 'a1' });
    expect(h.offerOf('b1').agentId).toBe('x'); // waited 30 s: older than a2 under fifo
  });

  it('an agent with room for two takes both level-1 items before older level-2 work', () => {
    const h = profile();
    h.agent('y', { queues: { a: {} } }, false);
    h.submit('b1', { queue: 'b' });
    h.submit('a1', { queue: 'a' });
    h.submit('a2', { queue: 'a' });
    // x is available for a moment with both waiting: explain b1 as of then.
    h.ok({
      type: 'UpsertAgent',
      agent: { id: 'x', queues: { a: { priority: 1 }, b: { priority: 2 } }, capacity: { total: 2, channels: { voice: { cost: 1, max: 2 } } } },
    });
    h.ok({ type: 'SetAgentState', agentIds: ['x'], state: 'available' });
    // x took a1 and a2 (level 1) over the older b1.
    expect(h.offerOf('a1').agentId).toBe('x');
    expect(h.offerOf('a2').agentId).toBe('x');
    expect(h.status('b1')).toBe('queued');
  });

  it('a shift logging in at once: each agent takes by its own levels', () => {
    const h = new Harness({ ordering: 'fifo' }).queue('a').queue('b');
    h.agent('x', { queues: { a: { priority: 2 }, b: { priority: 1 } } }, false);
    h.agent('y', { queues: { a: { priority: 1 }, b: { priority: 2 } } }, false);
    h.at(0).submit('a1', { queue: 'a' });
    h.at(1).submit('b1', { queue: 'b' });
    h.at(2).ok({ type: 'SetAgentState', agentIds: ['x', 'y'], state: 'available' });
    expect(h.offerOf('a1').agentId).toBe('y');
    expect(h.offerOf('b1').agentId).toBe('x');
  });

  it('refuses bad memberships with typed codes', () => {
    const h = new Harness().queue('a');
    h.rejects({ type: 'UpsertAgent', agent: { id: 'x', queues: { nope: {} } } }, 'UNKNOWN_QUEUE');
    h.rejects({ type: 'UpsertAgent', agent: { id: 'x', queues: { a: { priority: 0 } } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertAgent', agent: { id: 'x', queues: { a: { priority: 100 } } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertAgent', agent: { id: 'x', queues: { a: { delayMs: -1 } } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'a', membersOnly: 'yes' as unknown as boolean } }, 'INVALID_ARGUMENT');
    expect(h.engine.agentLoad('x')).toBeNull();
  });

  it('levels and delays survive a snapshot', () => {
    const h = profile(30_000);
    h.at(0).submit('b1', { queue: 'b' });
    h.at(1000).submit('a1', { queue: 'a' });
    const restored = Engine.restore(structuredClone(h.engine.snapshot()));
    const ev = restored.apply({ type: 'SetAgentState', agentIds: ['x'], state: 'available' }, 2000);
    expect(ev.events.find((e) => e.type === 'InteractionOffered')).toMatchObject({ interactionId: 'a1', agentId: 'x' });
  });

  it('restores a format-1 snapshot (exact-match labels, no memberships)', () => {
    const h = new Harness().queue('q');
    h.agent('en', { labels: { lang: 'en' } }, false);
    h.submit('i1', { labels: { lang: 'en' } });
    const snap = structuredClone(h.engine.snapshot()) as unknown as Record<string, unknown>;
    // Written as format 1 wrote it.
    const old = {
      ...snap,
      format: 1,
      queues: (snap.queues as Record<string, unknown>[]).map(({ membersOnly, ...q }) => q),
      profiles: (snap.profiles as Record<string, unknown>[]).map(({ queues, ...p }) => p),
      signatures: (snap.signatures as Record<string, unknown>[]).map(({ selectors, ...g }) => ({
        ...g,
        key: 'old',
        labels: (selectors as { key: string; value: string }[]).map((c) => [c.key, c.value]),
      })),
      interactions: (snap.interactions as unknown[][]).map((x) => {
        const y = x.slice(0, 21);
        y[7] = { lang: 'en' }; // i1's labels, as format 1 kept them
        return y;
      }),
      sigPos: (snap.sigPos as Int32Array[])[0],
      idleProfiles: undefined,
      idleSignatures: undefined,
      freeProfileIds: undefined,
      freeSignatureIds: undefined,
    };
    const e = Engine.restore(old as never);
    expect(e.apply({ type: 'SubmitInteraction', interaction: { id: 'i2', channel: 'voice', queue: 'q', labels: { lang: 'en' } } }, 1).ok).toBe(true);
    expect(e.counts().signatures).toBe(1); // new work with the same labels joins the old signature
    const ev = e.apply({ type: 'SetAgentState', agentIds: ['en'], state: 'available' }, 2);
    expect(ev.events.find((x) => x.type === 'InteractionOffered')).toMatchObject({ interactionId: 'i1', agentId: 'en' });
  });
});

describe('UpsertAgents', () => {
  it('loads many agents in one command, matched as one batch', () => {
    const h = new Harness({ ordering: 'fifo' }).skills('a', 'b').queue('q');
    h.submit('need-a', { skills: { a: 1 } });
    h.submit('need-b', { skills: { b: 1 } });
    const agents = Array.from({ length: 1000 }, (_, i) => ({ id: `x${i}`, skills: (i % 2 ? { a: 1 } : { b: 1 }) as Record<string, number> }));
    const ev = h.ok({ type: 'UpsertAgents', agents });
    expect(ev.filter((e) => e.type === 'AgentUpserted')).toHaveLength(1000);
    expect(h.engine.counts()).toMatchObject({ agents: 1000, profiles: 2 });
    h.ok({ type: 'SetAgentState', agentIds: agents.map((a) => a.id), state: 'available' });
    expect(h.status('need-a')).toBe('offered');
    expect(h.status('need-b')).toBe('offered');
  });

  it('is all or nothing: one bad spec, a repeated id or a limit refuses the whole command', () => {
    const h = new Harness({ limits: { maxProfiles: 2 } }).skills('a').queue('q');
    h.rejects({ type: 'UpsertAgents', agents: [{ id: 'ok' }, { id: 'bad', skills: { nope: 1 } }] }, 'UNKNOWN_SKILL');
    h.rejects({ type: 'UpsertAgents', agents: [{ id: 'twice' }, { id: 'twice' }] }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertAgents', agents: [] }, 'INVALID_ARGUMENT');
    const r = h.rejects({ type: 'UpsertAgents', agents: [{ id: 'p1' }, { id: 'p2', skills: { a: 1 } }, { id: 'p3', skills: { a: 2 } }] }, 'LIMIT_EXCEEDED');
    expect(r.events).toEqual([]);
    expect(h.engine.counts().agents).toBe(0);
    expect(h.rejects({ type: 'UpsertAgents', agents: [{ id: 'q', queues: { ghost: {} } }] }, 'UNKNOWN_QUEUE').ok).toBe(false);
  });
});
