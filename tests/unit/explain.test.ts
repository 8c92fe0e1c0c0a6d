import { describe, expect, it } from 'vitest';
import type { AgentVerdict } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

const voice = { total: 1, channels: { voice: { cost: 1, max: 1 } } };
const chatOnly = { total: 2, channels: { chat: { cost: 1, max: 2 } } };
const reasonsOf = (rows: readonly AgentVerdict[], id: string) => rows.find((r) => r.agentId === id)?.reasons.map((r) => r.reason);

describe('explanations', () => {
  it('names, for a waiting interaction, why each agent is not taking it', () => {
    const h = new Harness().skills('billing', 'spanish').queue('q', { offerTimeoutMs: 60_000 });
    const en = { lang: 'en' };
    h.agent('busy', { skills: { billing: 5 }, labels: en, capacity: voice });
    h.submit('first', { skills: { billing: 3 } });
    h.acceptOffer('first');
    h.agent('away', { skills: { billing: 9 }, labels: en, capacity: voice }, false);
    h.ok({ type: 'SetAgentState', agentIds: ['away'], state: 'away', reason: 'lunch' });
    h.agent('novice', { skills: { billing: 1 }, labels: en, capacity: voice });
    h.agent('nobilling', { skills: { spanish: 5 }, labels: en, capacity: voice });
    h.agent('fr', { skills: { billing: 8 }, labels: { lang: 'fr' }, capacity: voice });
    h.agent('chat', { skills: { billing: 8 }, labels: en, capacity: chatOnly });
    h.agent('decliner', { skills: { billing: 8 }, labels: en, capacity: voice });
    h.submit('i1', { skills: { billing: 3 }, labels: en });
    const o = h.offerOf('i1');
    expect(o.agentId).toBe('decliner'); // the only free agent meeting the requirement
    h.ok({ type: 'RejectOffer', agentId: 'decliner', offerId: o.offerId });
    const x = h.engine.explain('i1')!;
    expect(x).toMatchObject({ status: 'queued', queueId: 'q', channel: 'voice', required: { skills: { billing: 3 }, labels: en }, choice: null });
    expect(reasonsOf(x.agents, 'busy')).toEqual(['channel_full', 'capacity']);
    expect(x.agents.find((r) => r.agentId === 'away')!.reasons).toEqual([{ reason: 'away', detail: 'lunch' }]);
    expect(x.agents.find((r) => r.agentId === 'novice')!.reasons).toEqual([{ reason: 'skill_level', skill: 'billing', has: 1, required: 3 }]);
    expect(x.agents.find((r) => r.agentId === 'nobilling')!.reasons).toEqual([{ reason: 'missing_skill', skill: 'billing', required: 3 }]);
    expect(x.agents.find((r) => r.agentId === 'fr')!.reasons).toEqual([{ reason: 'label', label: 'lang', wants: 'en', has: 'fr' }]);
    expect(reasonsOf(x.agents, 'chat')).toEqual(['no_channel']);
    expect(reasonsOf(x.agents, 'decliner')).toEqual(['rejected_before']);
    expect(x.counts).toMatchObject({ agents: 7, eligible: 3 });
    expect(
      x.agents
        .slice(0, 3)
        .map((r) => r.agentId)
        .sort(),
    ).toEqual(['away', 'busy', 'decliner']);
    expect(x.agents.slice(0, 3).every((r) => r.eligible)).toBe(true);
    expect(x.counts.byReason).toEqual({ channel_full: 1, capacity: 1, away: 1, skill_level: 1, missing_skill: 1, label: 1, no_channel: 1, rejected_before: 1 });
    // No eligible agent is ever both free and silent: the engine is work-conserving.
    expect(x.agents.filter((r) => r.eligible && r.reasons.length === 0)).toEqual([]);
  });

  it('explains how the offered agent was chosen, with the terms at offer time', () => {
    const h = new Harness({ agentSelection: 'longest-idle' }).skills('billing').queue('q', { offerTimeoutMs: 60_000 });
    h.at(100).agent('late', { skills: { billing: 9 }, capacity: voice });
    h.at(50); // ignored: agents keep the idle time they got
    h.at(200).agent('later', { skills: { billing: 4 }, capacity: voice });
    h.at(300).submit('i1', { skills: { billing: 2 } });
    const x = h.engine.explain('i1')!;
    expect(x.status).toBe('offered');
    expect(x.choice).toMatchObject({
      agentId: 'late',
      agentSelection: 'longest-idle',
      idleSince: 100,
      proficiency: 9,
      preferred: false,
      offeredAt: 300,
      occupancy: null,
    });
    // The holder of the offer is listed without capacity reasons about the offer it holds: only that it holds it.
    expect(reasonsOf(x.agents, 'late')).toEqual(['offered']);
  });

  it('names a preference window, and says when a preference routed the offer', () => {
    const h = new Harness({ agentSelection: 'best-skill' }).skills('billing').queue('q', { offerTimeoutMs: 60_000, preferredWindowMs: 5_000 });
    h.agent('expert', { skills: { billing: 9 }, capacity: voice });
    h.submit('i1', { skills: { billing: 2 } });
    expect(h.engine.explain('i1')!.choice).toMatchObject({ agentId: 'expert', proficiency: 9, preferred: false });
    h.acceptOffer('i1');
    h.agent('other', { skills: { billing: 4 }, capacity: voice });
    h.at(1_000).submit('i2', { skills: { billing: 2 }, preferredAgents: ['expert'] });
    const x = h.engine.explain('i2')!;
    expect(x).toMatchObject({ status: 'queued', preferredAgents: ['expert'], preferredUntil: 6_000 });
    expect(x.agents.find((r) => r.agentId === 'other')!.reasons).toEqual([{ reason: 'reserved_for_preferred', until: 6_000 }]);
    expect(reasonsOf(x.agents, 'expert')).toEqual(['channel_full', 'capacity']);
    h.at(2_000).ok({ type: 'CompleteInteraction', agentId: 'expert', interactionId: 'i1' });
    expect(h.engine.explain('i2')!.choice).toMatchObject({ agentId: 'expert', preferred: true, offeredAt: 2_000 });
  });

  it('returns null for unknown ids and is bounded by limit', () => {
    const h = new Harness().skills('billing').queue('q');
    for (let i = 0; i < 30; i++) h.agent(`a${i}`, { skills: {}, capacity: voice }, false);
    h.submit('i1', { skills: { billing: 1 } });
    const x = h.engine.explain('i1', 10)!;
    expect(x.agents).toHaveLength(10);
    expect(x.truncated).toBe(true);
    expect(x.counts.agents).toBe(30);
    expect(h.engine.explain('nope')).toBeNull();
  });
});

describe('explanations agree with routing', () => {
  it('after random scenarios, no waiting interaction has an eligible agent free to take it', async () => {
    const fc = (await import('fast-check')).default;
    const { Engine } = await import('../../src/index.ts');
    const { PAIRS, action, agentSpec, runScenario } = await import('../property/scenario.ts');
    fc.assert(
      fc.property(
        fc.constantFrom(...PAIRS),
        fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`))),
        fc.array(action, { minLength: 20, maxLength: 120 }),
        ([ordering, agentSelection], agents, actions) => {
          const engine = new Engine({ ordering, agentSelection });
          runScenario(engine, agents, actions);
          for (const id of engine.interactionIds()) {
            const x = engine.explain(id)!;
            if (x.status === 'queued') expect(x.agents.filter((r) => r.eligible && r.reasons.length === 0)).toEqual([]);
            if (x.status === 'offered' || x.status === 'assigned') {
              expect(x.choice?.agentId).toBe(engine.interaction(id)!.agentId);
              expect(x.agents.find((r) => r.agentId === x.choice!.agentId)?.eligible).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
