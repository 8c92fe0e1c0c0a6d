import { describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.ts';

/** Submits the given interactions with one agent away, then frees it and returns who got served first. */
function firstServed(h: Harness, order: string[]): string[] {
  const served: string[] = [];
  h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'available' });
  for (let i = 0; i < order.length; i++) {
    const info = h.engine.agentLoad('a')!;
    const iid = info.offers[0]?.interactionId;
    if (!iid) break;
    served.push(iid);
    h.acceptOffer(iid);
    h.ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: iid });
  }
  return served;
}

describe('ordering policies', () => {
  it('fifo: oldest first, whatever the priority', () => {
    const h = new Harness({ ordering: 'fifo' }).queue('q').agent('a', {}, false);
    h.at(0).submit('old', { priority: 0 });
    h.at(1).submit('vip', { priority: 90, valueTier: 3 });
    expect(firstServed(h.at(2), ['old', 'vip'])).toEqual(['old', 'vip']);
  });

  it('priority-age: higher priority first, then oldest', () => {
    const h = new Harness({ ordering: 'priority-age' }).queue('q').agent('a', {}, false);
    h.at(0).submit('p1-old', { priority: 1 });
    h.at(1).submit('p5', { priority: 5 });
    h.at(2).submit('p1-new', { priority: 1 });
    expect(firstServed(h.at(3), [])).toEqual([]);
    expect(firstServed(h.at(3), ['', '', ''])).toEqual(['p5', 'p1-old', 'p1-new']);
  });

  it('deadline: earliest effective deadline, explicit or derived, minus value boost', () => {
    const h = new Harness({ ordering: 'deadline', valueTierBoostMs: [0, 0, 0, 50_000], priorityBoostMs: 0 })
      .queue('q', { serviceObjective: { percent: 80, thresholdMs: 60_000 } })
      .agent('a', {}, false);
    h.at(0).submit('derived'); // deadline 60 000
    h.at(1).submit('explicit', { slaDeadline: 30_000 });
    h.at(2).submit('gold', { valueTier: 3 }); // 60 002 − 50 000
    expect(firstServed(h.at(3), ['', '', ''])).toEqual(['gold', 'explicit', 'derived']);
  });

  it('service-objective: head-of-line delay ratio across queues', () => {
    // q-fast: 10 s threshold; q-slow: 100 s. At t=60 s, a 20 s-old fast call (ratio 2) beats a
    // 60 s-old slow email (ratio 0.6), though the email is older.
    const h = new Harness({ ordering: 'service-objective', valueTierBoostMs: [0], priorityBoostMs: 0 })
      .queue('fast', { serviceObjective: { percent: 80, thresholdMs: 10_000 }, escalateAfterMs: null })
      .queue('slow', { serviceObjective: { percent: 80, thresholdMs: 100_000 }, escalateAfterMs: null })
      .agent('a', {}, false);
    h.at(0).submit('slow-1', { queue: 'slow' });
    h.at(40_000).submit('fast-1', { queue: 'fast' });
    // t=44 s: fast ratio 4/10 = 0.4 < slow ratio 44/100 = 0.44.
    expect(firstServed(h.at(44_000), [''])).toEqual(['slow-1']);
    const h2 = new Harness({ ordering: 'service-objective', valueTierBoostMs: [0], priorityBoostMs: 0 })
      .queue('fast', { serviceObjective: { percent: 80, thresholdMs: 10_000 }, escalateAfterMs: null })
      .queue('slow', { serviceObjective: { percent: 80, thresholdMs: 100_000 }, escalateAfterMs: null })
      .agent('a', {}, false);
    h2.at(0).submit('slow-1', { queue: 'slow' });
    h2.at(52_000).submit('fast-1', { queue: 'fast' });
    // t=60 s: fast ratio 8/10 = 0.8 > slow ratio 60/100 = 0.6.
    expect(firstServed(h2.at(60_000), ['', ''])).toEqual(['fast-1', 'slow-1']);
  });

  it('service-objective: saveable work first, late work after, escalated work before all', () => {
    const h = new Harness({ ordering: 'service-objective', valueTierBoostMs: [0], priorityBoostMs: 0 })
      .queue('q', { serviceObjective: { percent: 80, thresholdMs: 20_000 }, escalateAfterMs: 100_000 })
      .agent('a', {}, false);
    h.at(0).submit('ancient');
    h.at(70_000).submit('late');
    h.at(95_000).submit('fresh');
    h.tick(100_000);
    expect(h.log.filter((e) => e.type === 'InteractionReclassified').map((e) => [e.interactionId, (e as { band: string }).band])).toEqual([
      ['ancient', 'late'],
      ['late', 'late'],
      ['ancient', 'escalated'],
    ]);
    expect(h.engine.interaction('ancient')!.band).toBe('escalated');
    expect(firstServed(h.at(100_000), ['', '', ''])).toEqual(['ancient', 'fresh', 'late']);
  });

  it('work entering a queue past its escalation age is escalated at once, and an event says so', () => {
    // Assigned in `first` long ago, then transferred: it enters `second` already older than its
    // escalateAfterMs, so it goes before younger work of higher priority.
    const h = new Harness({ ordering: 'priority-age' })
      .queue('first', { escalateAfterMs: null })
      .queue('second', { escalateAfterMs: 60_000 })
      .agent('a', {}, true);
    h.at(0).submit('old', { queue: 'first', priority: 0 });
    h.acceptOffer('old');
    h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'away' });
    h.at(100_000).submit('vip', { queue: 'second', priority: 50 });
    const moved = h.ok({ type: 'TransferInteraction', interactionId: 'old', queue: 'second' });
    expect(moved.map((e) => [e.type, (e as { band?: string }).band])).toEqual([
      ['InteractionTransferred', undefined],
      ['InteractionReclassified', 'escalated'],
    ]);
    expect(h.engine.interaction('old')!.band).toBe('escalated');
    expect(h.engine.interaction('vip')!.band).toBe('normal');
    expect(firstServed(h.at(100_001), ['', ''])).toEqual(['old', 'vip']);
    // Moved again into a queue that escalates it too: no second event.
    h.ok({ type: 'UpsertQueue', queue: { id: 'third', escalateAfterMs: 1_000 } });
    h.at(100_002).submit('again', { queue: 'second', priority: 0 });
    h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'away' });
    h.at(200_000).tick(200_000);
    expect(h.engine.interaction('again')!.band).toBe('escalated');
    expect(h.types(h.ok({ type: 'TransferInteraction', interactionId: 'again', queue: 'third' }))).toEqual(['InteractionTransferred']);
  });

  it('a submission whose deadline has passed enters the late band, and an event says so', () => {
    const h = new Harness({ ordering: 'service-objective' }).queue('q').agent('a', {}, false);
    const events = h.at(50_000).submit('gone', { slaDeadline: 10_000 });
    expect(events.map((e) => [e.type, (e as { band?: string }).band])).toEqual([
      ['InteractionQueued', undefined],
      ['InteractionReclassified', 'late'],
    ]);
  });

  it('priority updates re-key waiting work', () => {
    const h = new Harness({ ordering: 'priority-age' }).queue('q').agent('a', {}, false);
    h.at(0).submit('x');
    h.at(1).submit('y');
    h.ok({ type: 'UpdateInteraction', interactionId: 'y', priority: 50, context: { note: 'vip' } });
    expect(h.engine.interaction('y')!.context).toEqual({ note: 'vip' });
    expect(firstServed(h.at(2), ['', ''])).toEqual(['y', 'x']);
  });
});

describe('agent selection policies', () => {
  it('longest-idle picks the agent waiting longest', () => {
    const h = new Harness({ agentSelection: 'longest-idle' }).queue('q');
    h.at(0).agent('a1');
    h.at(5).agent('a2');
    h.at(10).submit('i1');
    expect(h.offerOf('i1').agentId).toBe('a1');
    h.submit('i2');
    expect(h.offerOf('i2').agentId).toBe('a2');
  });

  it('least-occupied spreads chats', () => {
    const chat = { total: 3, channels: { chat: { cost: 1, max: 3, autoAccept: true } } };
    const h = new Harness({ agentSelection: 'least-occupied' }).queue('q');
    h.at(0).agent('a1', { capacity: chat });
    h.at(1).agent('a2', { capacity: chat });
    for (let i = 0; i < 4; i++) h.at(10 + i).submit(`c${i}`, { channel: 'chat' });
    const loads = ['a1', 'a2'].map((a) => h.engine.agentLoad(a)!.units);
    expect(loads).toEqual([2, 2]);
  });

  it('best-skill prefers the highest proficiency, then longest idle', () => {
    const h = new Harness({ agentSelection: 'best-skill' }).skills('s').queue('q');
    h.at(0).agent('novice', { skills: { s: 2 } });
    h.at(1).agent('expert', { skills: { s: 9 } });
    h.at(2).agent('expert2', { skills: { s: 9 } });
    h.at(3).submit('i1', { skills: { s: 1 } });
    expect(h.offerOf('i1').agentId).toBe('expert');
    h.submit('i2', { skills: { s: 1 } });
    expect(h.offerOf('i2').agentId).toBe('expert2');
    h.submit('i3', { skills: { s: 1 } });
    expect(h.offerOf('i3').agentId).toBe('novice');
  });
});

describe('preference and relaxation', () => {
  it("the customer's last agent gets the next interaction first, for the window", () => {
    const h = new Harness({ agentSelection: 'longest-idle' }).queue('q', { preferredWindowMs: 10_000 });
    h.at(0).agent('a1');
    h.at(1).agent('a2');
    h.at(2).submit('first', { customerId: 'cust' });
    expect(h.offerOf('first').agentId).toBe('a1');
    h.acceptOffer('first');
    h.at(3).submit('second', { customerId: 'cust' });
    // a2 is idle, but a1 served this customer last: the interaction waits for a1.
    expect(h.status('second')).toBe('queued');
    h.at(4).ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'first' });
    expect(h.offerOf('second').agentId).toBe('a1');
  });

  it('the window ends and the interaction opens to everyone at its old place', () => {
    const h = new Harness().queue('q', { preferredWindowMs: 10_000 });
    h.at(0).agent('busy');
    h.agent('other');
    h.submit('block1');
    h.submit('block2');
    h.acceptOffer('block1');
    h.acceptOffer('block2');
    h.at(1).submit('pref', { preferredAgents: ['busy'] });
    expect(h.status('pref')).toBe('queued');
    const ev = h.tick(10_001);
    expect(h.types(ev)).toEqual(['PreferenceWindowEnded']);
    h.at(10_002).ok({ type: 'CompleteInteraction', agentId: 'other', interactionId: h.engine.agentLoad('other')!.assignments[0] });
    expect(h.offerOf('pref').agentId).toBe('other');
  });

  it('relaxation steps lower requirements on a timer, keeping the key', () => {
    const h = new Harness().skills('s').queue('q');
    h.agent('mid', { skills: { s: 4 } });
    h.submit('i1', { skills: { s: 8 }, relaxation: [{ afterMs: 5000, skills: { s: 4 } }] });
    expect(h.status('i1')).toBe('queued');
    const ev = h.tick(5000);
    expect(h.types(ev)).toEqual(['InteractionRelaxed', 'InteractionOffered']);
  });
});

describe('batch matching', () => {
  it('a shift logging in is matched in one step: every eligible waiting interaction is offered', () => {
    const h = new Harness({ ordering: 'fifo' }).skills('en', 'fr').queue('q');
    for (let i = 0; i < 10; i++) h.agent(`a${i}`, { skills: i < 5 ? { en: 5 } : { fr: 5 } }, false);
    for (let i = 0; i < 6; i++) h.at(i).submit(`en${i}`, { skills: { en: 1 } });
    for (let i = 0; i < 3; i++) h.at(10 + i).submit(`fr${i}`, { skills: { fr: 1 } });
    const ev = h.ok({ type: 'SetAgentState', agentIds: Array.from({ length: 10 }, (_, i) => `a${i}`), state: 'available' });
    const offers = Harness.offers(ev);
    expect(Object.keys(offers).sort()).toEqual(['en0', 'en1', 'en2', 'en3', 'en4', 'fr0', 'fr1', 'fr2']);
    expect(h.status('en5')).toBe('queued');
  });

  it('augments: the most urgent pick does not strand work only one free agent can take', () => {
    // X (older, either language) and Y (newer, French only). Agents: Ann (en+fr, idle longest),
    // Bob (en). Greedy would give X→Ann and leave Y waiting with Bob idle-but-ineligible.
    const h = new Harness({ ordering: 'fifo', agentSelection: 'longest-idle' }).skills('en', 'fr').queue('q');
    h.agent('ann', { skills: { en: 5, fr: 5 } }, false);
    h.agent('bob', { skills: { en: 5 } }, false);
    h.at(0).submit('X', { skills: { en: 1 } });
    h.at(1).submit('Y', { skills: { fr: 1 } });
    h.at(2).ok({ type: 'UpsertAgent', agent: { id: 'ann', skills: { en: 5, fr: 5 } } });
    const ev = h.at(3).ok({ type: 'SetAgentState', agentIds: ['ann', 'bob'], state: 'available' });
    expect(Harness.offers(ev)).toEqual({ X: 'bob', Y: 'ann' });
    expect(h.engine.agentLoad('ann')!.offers.map((o) => o.interactionId)).toEqual(['Y']);
    expect(h.engine.agentLoad('bob')!.offers.map((o) => o.interactionId)).toEqual(['X']);
  });
});
