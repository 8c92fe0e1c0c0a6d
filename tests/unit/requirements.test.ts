import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

describe('alternatives', () => {
  it('an agent meeting any one alternative (added to the common part) may take it', () => {
    const h = new Harness().skills('billing', 'general').queue('q');
    h.agent('generalist-en', { skills: { general: 5 }, labels: { lang: 'en', site: 'A' } }, false);
    h.agent('generalist-fr', { skills: { general: 5 }, labels: { lang: 'fr', site: 'B' } }, false);
    h.agent('expert-b', { skills: { billing: 9 }, labels: { lang: 'en', site: 'B' } }, false);
    // "a billing expert, or a general agent with French", both at site B.
    h.submit('i1', { labels: { site: 'B' }, alternatives: [{ skills: { billing: 8 } }, { skills: { general: 1 }, labels: { lang: 'fr' } }] });
    const x = h.engine.explain('i1')!;
    expect(x.alternatives).toHaveLength(2);
    const row = (id: string) => x.agents.find((r) => r.agentId === id)!;
    expect(row('generalist-fr')).toMatchObject({ eligible: true, alternative: 1 });
    expect(row('expert-b')).toMatchObject({ eligible: true, alternative: 0 });
    expect(row('generalist-en').eligible).toBe(false);
    expect(row('generalist-en').reasons).toContainEqual({ reason: 'label', label: 'site', wants: 'B', has: 'A' });
    h.ok({ type: 'SetAgentState', agentIds: ['generalist-en'], state: 'available' });
    expect(h.status('i1')).toBe('queued');
    h.ok({ type: 'SetAgentState', agentIds: ['generalist-fr'], state: 'available' });
    expect(h.offerOf('i1').agentId).toBe('generalist-fr');
  });

  it('waits in every alternative at once, is offered once, and leaves them all', () => {
    const h = new Harness({ ordering: 'fifo' }).skills('a', 'b').queue('q');
    h.agent('A', { skills: { a: 1 } }, false);
    h.agent('B', { skills: { b: 1 } }, false);
    h.at(0).submit('both', { alternatives: [{ skills: { a: 1 } }, { skills: { b: 1 } }] });
    h.at(1).submit('only-b', { skills: { b: 1 } });
    expect(h.engine.counts().queued).toBe(2);
    const ev = h.at(2).ok({ type: 'SetAgentState', agentIds: ['A', 'B'], state: 'available' });
    const offers = Harness.offers(ev);
    expect(Object.keys(offers).sort()).toEqual(['both', 'only-b']);
    expect(offers).toEqual({ both: 'A', 'only-b': 'B' }); // B's only option was only-b: the batch keeps both served
    expect(h.engine.counts().queued).toBe(0);
  });

  it('a declined alternative is not offered to the decliner again; the other alternative still routes', () => {
    const h = new Harness().skills('a', 'b').queue('q');
    h.agent('A', { skills: { a: 1, b: 1 } });
    h.submit('i', { alternatives: [{ skills: { a: 1 } }, { skills: { b: 1 } }] });
    const o = h.offerOf('i');
    h.ok({ type: 'RejectOffer', agentId: 'A', offerId: o.offerId });
    expect(h.status('i')).toBe('queued');
    h.agent('B', { skills: { b: 1 } });
    expect(h.offerOf('i').agentId).toBe('B');
  });

  it('refuses more than eight alternatives, and survives a snapshot', () => {
    const h = new Harness().skills('a', 'b').queue('q');
    const nine = Array.from({ length: 9 }, () => ({ skills: { a: 1 } }));
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', alternatives: nine } }, 'LIMIT_EXCEEDED');
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', alternatives: [{ skills: { nope: 1 } }] } }, 'UNKNOWN_SKILL');
    h.agent('B', { skills: { b: 1 } }, false);
    h.submit('i', { alternatives: [{ skills: { a: 1 } }, { skills: { b: 1 } }] });
    const e = Engine.restore(structuredClone(h.engine.snapshot()));
    const ev = e.apply({ type: 'SetAgentState', agentIds: ['B'], state: 'available' }, 1);
    expect(ev.events.find((x) => x.type === 'InteractionOffered')).toMatchObject({ interactionId: 'i', agentId: 'B' });
    expect(e.counts().queued).toBe(0);
  });
});

describe('relaxation of anything', () => {
  it('steps replace labels, selectors, alternatives, queue and priority, keeping the arrival', () => {
    const h = new Harness({ ordering: 'fifo' }).queue('tier1').queue('tier2');
    h.agent('t2', { labels: { tier: 2 }, queues: { tier2: {} } }, false);
    h.at(0).submit('i', {
      queue: 'tier1',
      selectors: [{ key: 'tier', op: 'eq', value: 1 }],
      relaxation: [
        { afterMs: 1000, selectors: [{ key: 'tier', op: 'gte', value: 1 }] },
        { afterMs: 2000, queue: 'tier2', priority: 9 },
      ],
    });
    h.at(500).submit('later', { queue: 'tier2' });
    h.ok({ type: 'SetAgentState', agentIds: ['t2'], state: 'available' });
    expect(h.offerOf('later').agentId).toBe('t2');
    h.acceptOffer('later');
    const ev = h.tick(2000);
    expect(ev.filter((e) => e.type === 'InteractionRelaxed')).toEqual([
      { type: 'InteractionRelaxed', at: 1000, interactionId: 'i', step: 1 }, // each at its due time, however late the tick
      { type: 'InteractionRelaxed', at: 2000, interactionId: 'i', step: 2, fromQueue: 'tier1', toQueue: 'tier2' },
    ]);
    expect(h.engine.interaction('i')).toMatchObject({ queueId: 'tier2', priority: 9, arrival: 0 });
    h.at(2001).ok({ type: 'CompleteInteraction', agentId: 't2', interactionId: 'later' });
    expect(h.offerOf('i').agentId).toBe('t2');
  });

  it('skipIfNoneLoggedIn applies the next step at once when nobody logged in could take the step', () => {
    const h = new Harness().skills('expert', 'basic').queue('q');
    h.agent('expert', { skills: { expert: 5 } }, false);
    h.agent('basic', { skills: { basic: 1 } }, false);
    h.submit('i', {
      skills: { expert: 9 },
      relaxation: [
        { afterMs: 1000, skills: { expert: 5 }, skipIfNoneLoggedIn: true },
        { afterMs: 60_000, skills: { basic: 1 } },
      ],
    });
    const ev = h.tick(1000);
    expect(ev.filter((e) => e.type === 'InteractionRelaxed').map((e) => (e as { step: number }).step)).toEqual([1, 2]);
    h.ok({ type: 'SetAgentState', agentIds: ['basic'], state: 'available' });
    expect(h.offerOf('i').agentId).toBe('basic');
  });

  it('a step that is not skipped waits its time when someone logged in could take it', () => {
    const h = new Harness().skills('expert', 'basic').queue('q');
    h.agent('expert', { skills: { expert: 5 } }, false);
    h.ok({ type: 'SetAgentState', agentIds: ['expert'], state: 'away' });
    h.submit('i', {
      skills: { expert: 9 },
      relaxation: [
        { afterMs: 1000, skills: { expert: 5 }, skipIfNoneLoggedIn: true },
        { afterMs: 60_000, skills: { basic: 1 } },
      ],
    });
    expect(h.tick(1000).filter((e) => e.type === 'InteractionRelaxed')).toHaveLength(1);
  });

  it('refuses steps that change nothing, name unknown queues, or come out of order', () => {
    const h = new Harness().queue('q');
    const submit = (relaxation: unknown) => ({
      type: 'SubmitInteraction' as const,
      interaction: { id: 'x', channel: 'voice', queue: 'q', relaxation: relaxation as never },
    });
    h.rejects(submit([{ afterMs: 10 }]), 'INVALID_ARGUMENT');
    h.rejects(submit([{ afterMs: 10, skipIfNoneLoggedIn: true }]), 'INVALID_ARGUMENT');
    h.rejects(submit([{ afterMs: 10, queue: 'nowhere' }]), 'UNKNOWN_QUEUE');
    h.rejects(
      submit([
        { afterMs: 10, priority: 1 },
        { afterMs: 5, priority: 2 },
      ]),
      'INVALID_ARGUMENT',
    );
    h.rejects(submit([{ afterMs: 10, priority: 101 }]), 'INVALID_ARGUMENT');
  });
});

describe('directed routing', () => {
  it('only the required agents may take it, without its requirements, until requiredForMs; then it routes normally keeping its arrival', () => {
    const h = new Harness({ ordering: 'fifo' }).skills('billing').queue('q');
    h.agent('colleague', {}, false); // no billing skill
    h.agent('other', { skills: { billing: 5 } });
    h.at(0).submit('i', { skills: { billing: 1 }, requiredAgents: ['colleague'], requiredForMs: 10_000 });
    expect(h.status('i')).toBe('queued');
    const x = h.engine.explain('i')!;
    expect(x).toMatchObject({ requiredAgents: true, preferredAgents: ['colleague'], preferredUntil: 10_000 });
    expect(x.agents.find((r) => r.agentId === 'other')!.reasons).toContainEqual({ reason: 'required_agents', until: 10_000 });
    h.at(10).submit('later', { skills: { billing: 1 } });
    expect(h.offerOf('later').agentId).toBe('other');
    h.acceptOffer('later');
    h.at(5000).ok({ type: 'CompleteInteraction', agentId: 'other', interactionId: 'later' });
    expect(h.status('i')).toBe('queued'); // other is free, but i waits for the colleague
    const ev = h.tick(10_000);
    expect(h.types(ev)).toEqual(['PreferenceWindowEnded', 'InteractionOffered']);
    expect(h.offerOf('i').agentId).toBe('other');
    expect(h.engine.interaction('i')!.arrival).toBe(0);
  });

  it('a required agent takes it without meeting its requirements', () => {
    const h = new Harness().skills('billing').queue('q');
    h.agent('colleague', {}, false);
    h.submit('i', { skills: { billing: 9 }, requiredAgents: ['colleague'] });
    h.ok({ type: 'SetAgentState', agentIds: ['colleague'], state: 'available' });
    expect(h.offerOf('i').agentId).toBe('colleague');
  });

  it('a transfer to an agent keeps the arrival and waits for that agent for ever by default', () => {
    const h = new Harness().queue('q').queue('desk');
    h.agent('a1');
    h.agent('owner', {}, false);
    h.at(0).submit('mail');
    h.acceptOffer('mail');
    h.at(5).ok({ type: 'TransferInteraction', interactionId: 'mail', queue: 'desk', agentId: 'owner' });
    expect(h.status('mail')).toBe('queued');
    h.tick(3_600_000);
    expect(h.status('mail')).toBe('queued'); // a1 is free, but the mail waits for its owner
    h.ok({ type: 'SetAgentState', agentIds: ['owner'], state: 'available' });
    expect(h.offerOf('mail').agentId).toBe('owner');
    expect(h.engine.interaction('mail')!.arrival).toBe(0);
  });

  it('when every required agent declines, it routes normally at once', () => {
    const h = new Harness().queue('q');
    h.agent('owner');
    h.agent('other', {}, false);
    h.submit('i', { requiredAgents: ['owner'] });
    h.ok({ type: 'SetAgentState', agentIds: ['other'], state: 'available' });
    const ev = h.ok({ type: 'RejectOffer', agentId: 'owner', offerId: h.offerOf('i').offerId });
    expect(h.types(ev)).toContain('PreferenceWindowEnded');
    expect(h.offerOf('i').agentId).toBe('other');
  });

  it('when a required agent is removed and the others all declined, it routes normally at once', () => {
    const h = new Harness().queue('q');
    h.agent('keen', {}, false);
    h.agent('decliner');
    h.agent('other', {}, false);
    h.submit('i', { requiredAgents: ['keen', 'decliner'] });
    h.ok({ type: 'RejectOffer', agentId: 'decliner', offerId: h.offerOf('i').offerId });
    h.ok({ type: 'SetAgentState', agentIds: ['other'], state: 'available' });
    expect(h.status('i')).toBe('queued'); // keen has not declined: it waits for keen
    h.ok({ type: 'RemoveAgent', agentId: 'keen' });
    expect(h.offerOf('i').agentId).toBe('other');
  });

  it('refuses unknown required agents and a requiredForMs without them; survives a snapshot', () => {
    const h = new Harness().queue('q');
    h.agent('owner', {}, false);
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', requiredAgents: ['ghost'] } }, 'UNKNOWN_AGENT');
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', requiredForMs: 5 } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'TransferInteraction', interactionId: 'x', queue: 'q', agentId: 'owner' }, 'UNKNOWN_INTERACTION');
    h.submit('i', { requiredAgents: ['owner'] });
    const e = Engine.restore(structuredClone(h.engine.snapshot()));
    e.apply({ type: 'UpsertAgent', agent: { id: 'someone' } }, 1);
    expect(e.apply({ type: 'SetAgentState', agentIds: ['someone'], state: 'available' }, 2).events.some((x) => x.type === 'InteractionOffered')).toBe(false);
    const ev = e.apply({ type: 'SetAgentState', agentIds: ['owner'], state: 'available' }, 3);
    expect(ev.events.find((x) => x.type === 'InteractionOffered')).toMatchObject({ interactionId: 'i', agentId: 'owner' });
  });
});
