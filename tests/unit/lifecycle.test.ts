import { describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.ts';

function basic(opts = {}) {
  return new Harness(opts).skills('billing').queue('q', { offerTimeoutMs: 10_000 });
}

describe('interaction lifecycle', () => {
  it('submit → offer → accept → complete frees the agent for the next one', () => {
    const h = basic().agent('a1', { skills: { billing: 5 } });
    const ev = h.submit('i1', { skills: { billing: 3 } });
    expect(h.types(ev)).toEqual(['InteractionQueued', 'InteractionOffered']);
    h.submit('i2', { skills: { billing: 3 } });
    expect(h.status('i2')).toBe('queued');
    h.at(5);
    const acc = h.acceptOffer('i1');
    expect(acc[0]).toMatchObject({ type: 'InteractionAssigned', interactionId: 'i1', agentId: 'a1', waitMs: 5 });
    h.at(50);
    const done = h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' });
    expect(h.types(done)).toEqual(['InteractionCompleted', 'InteractionOffered']);
    expect(h.status('i1')).toBe('completed');
    expect(h.status('i2')).toBe('offered');
  });

  it('an agent below the minimum level or missing a label is never offered the work', () => {
    const h = basic()
      .agent('low', { skills: { billing: 2 }, labels: { lang: 'en' } })
      .agent('fr', { skills: { billing: 9 }, labels: { lang: 'fr' } });
    h.submit('i1', { skills: { billing: 3 }, labels: { lang: 'en' } });
    expect(h.status('i1')).toBe('queued');
    h.agent('ok', { skills: { billing: 3 }, labels: { lang: 'en', site: 'x' } });
    expect(h.offerOf('i1').agentId).toBe('ok');
  });

  it('reject: never re-offered to that agent, back at its old place', () => {
    const h = basic({ ordering: 'fifo' }).agent('a1', { skills: { billing: 5 } });
    h.submit('i1');
    h.at(1).submit('i2');
    const o = h.offerOf('i1');
    h.at(2);
    const ev = h.ok({ type: 'RejectOffer', agentId: 'a1', offerId: o.offerId });
    // a1 takes i2 instead; i1 waits at the head for someone else.
    expect(h.types(ev)).toEqual(['OfferRejected', 'InteractionOffered']);
    expect(Harness.offers(ev)).toEqual({ i2: 'a1' });
    h.at(3).submit('i3');
    h.at(4).agent('a2', { skills: { billing: 5 } });
    expect(h.offerOf('i1').agentId).toBe('a2'); // i1 kept its place ahead of i3
    h.acceptOffer('i2');
    h.at(5).ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i2' });
    expect(h.offerOf('i3').agentId).toBe('a1');
    expect(h.engine.interaction('i1')!.agentId).toBe('a2');
  });

  it('offer timeout: agent goes away(no_answer), interaction requeued; configurable per queue', () => {
    const h = basic().agent('a1').agent('a2');
    h.submit('i1');
    const first = h.offerOf('i1').agentId;
    expect(h.engine.nextDeadline()).toBe(10_000);
    const ev = h.tick(10_000);
    expect(h.types(ev)).toEqual(['OfferTimedOut', 'AgentStateChanged', 'InteractionOffered']);
    expect(ev[1]).toMatchObject({ agentId: first, to: 'away', reason: 'no_answer' });
    expect(h.offerOf('i1').agentId).not.toBe(first);

    const h2 = new Harness().queue('q', { offerTimeoutMs: 1000, noAnswerAway: false }).agent('a1');
    h2.submit('i1');
    const ev2 = h2.tick(1000);
    // Without noAnswerAway the agent stays available and is not excluded (only a rejection
    // excludes): as the best eligible agent it is offered the same interaction again at once.
    expect(h2.types(ev2)).toEqual(['OfferTimedOut', 'InteractionOffered']);
    expect(ev2[1]).toMatchObject({ agentId: 'a1', interactionId: 'i1' });
    expect(ev2[1]).not.toMatchObject({ offerId: (ev2[0] as { offerId: string }).offerId });
    expect(h2.engine.agentLoad('a1')!.state).toBe('available');
  });

  it('auto-accept channels assign at once, with no offer timer', () => {
    const h = new Harness().queue('q').agent('a1', { capacity: { total: 3, channels: { chat: { cost: 1, max: 3, autoAccept: true } } } });
    const ev = h.submit('c1', { channel: 'chat' });
    expect(h.types(ev)).toEqual(['InteractionQueued', 'InteractionOffered', 'InteractionAssigned']);
    expect(h.engine.nextDeadline()).toBeNull();
  });

  it('cancellation and abandonment at every stage', () => {
    const h = basic().agent('a1').agent('a2');
    h.submit('queued-later');
    h.submit('offered');
    h.submit('assigned');
    h.acceptOffer('offered');
    // 'assigned' is offered to a2 too? only two agents: queued-later→a1, offered→a2, assigned queued.
    expect(h.status('assigned')).toBe('queued');
    h.ok({ type: 'CancelInteraction', interactionId: 'assigned', reason: 'abandoned' });
    expect(h.status('assigned')).toBe('abandoned');
    const ev = h.ok({ type: 'CancelInteraction', interactionId: 'queued-later', reason: 'cancelled' });
    expect(h.types(ev)).toEqual(['OfferRescinded', 'InteractionCancelled']);
    const ev2 = h.ok({ type: 'CancelInteraction', interactionId: 'offered', reason: 'cancelled' });
    expect(ev2[0]).toMatchObject({ type: 'InteractionCancelled', stage: 'assigned' });
    expect(h.engine.agentLoad('a1')!.units + h.engine.agentLoad('a2')!.units).toBe(0);
    // Cancelling again (a retry) changes nothing and says so; any other end of it is refused.
    expect(h.engine.apply({ type: 'CancelInteraction', interactionId: 'offered', reason: 'cancelled' }, h.now)).toEqual({
      ok: true,
      events: [],
      duplicate: true,
    });
    h.rejects({ type: 'CancelInteraction', interactionId: 'offered', reason: 'abandoned' }, 'INTERACTION_FINISHED');
  });

  it('wrap-up holds the agent until its timer or EndWrapUp', () => {
    const h = new Harness({ ordering: 'fifo' }).queue('q', { wrapUpMs: 30_000 }).agent('a1');
    h.submit('i1');
    h.acceptOffer('i1');
    h.submit('i2');
    h.at(100);
    const ev = h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' });
    expect(h.types(ev)).toEqual(['InteractionWrapUpStarted', 'AgentStateChanged']);
    expect(h.status('i1')).toBe('wrap_up');
    expect(h.status('i2')).toBe('queued');
    const t = h.tick(30_100);
    expect(h.types(t)).toEqual(['InteractionCompleted', 'AgentStateChanged', 'InteractionOffered']);
    h.acceptOffer('i2');
    h.at(31_000).ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i2' });
    const end = h.ok({ type: 'EndWrapUp', agentId: 'a1' });
    expect(h.types(end)).toEqual(['InteractionCompleted', 'AgentStateChanged']);
    expect(h.engine.agentLoad('a1')!.state).toBe('available');
  });

  it('transfer keeps the original arrival: ahead of newer work in the new queue', () => {
    const h = new Harness({ ordering: 'fifo' }).queue('q').queue('q2').agent('a1');
    h.submit('old');
    h.acceptOffer('old');
    h.at(10).submit('new', { queue: 'q2' });
    h.at(20);
    const ev = h.ok({ type: 'TransferInteraction', interactionId: 'old', queue: 'q2' });
    // a1's assignment ended; it takes the older interaction first.
    expect(h.types(ev)).toEqual(['InteractionTransferred', 'InteractionOffered']);
    expect(Harness.offers(ev)).toEqual({ old: 'a1' });
    expect(h.engine.interaction('old')!.queueId).toBe('q2');
  });

  it('max wait overflows to the target queue, or expires', () => {
    const h = new Harness().queue('q2').queue('q', { maxWaitMs: 5000, overflowQueue: 'q2' });
    h.submit('i1');
    const ev = h.tick(5000);
    expect(ev[0]).toMatchObject({ type: 'InteractionOverflowed', fromQueue: 'q', toQueue: 'q2' });
    h.queue('q3', { maxWaitMs: 1000 });
    h.at(6000).submit('i2', { queue: 'q3' });
    expect(h.types(h.tick(7000))).toEqual(['InteractionExpired']);
    expect(h.status('i2')).toBe('expired');
  });

  it('idempotency: the same id never creates two interactions', () => {
    const h = basic();
    h.submit('i1');
    const r = h.engine.apply({ type: 'SubmitInteraction', interaction: { id: 'i1', channel: 'voice', queue: 'q' } }, 1);
    expect(r).toMatchObject({ ok: true, duplicate: true, status: 'queued', events: [] });
    expect(h.engine.counts().interactions).toBe(1);
    // Only the id is compared: other fields, even ones that would be refused, are not looked at.
    const other = h.engine.apply({ type: 'SubmitInteraction', interaction: { id: 'i1', channel: 'chat', queue: 'nowhere', priority: 99 } }, 2);
    expect(other).toMatchObject({ ok: true, duplicate: true, status: 'queued', events: [] });
    expect(h.engine.interaction('i1')).toMatchObject({ queueId: 'q', channel: 'voice', priority: 0 });
  });

  it('position and estimated wait', () => {
    const h = new Harness({ ordering: 'fifo' }).queue('q').agent('a1');
    h.submit('x');
    h.acceptOffer('x');
    h.at(60_000).ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'x' });
    h.ok({ type: 'SetAgentState', agentIds: ['a1'], state: 'away' });
    h.at(60_001).submit('i1');
    h.at(60_002).submit('i2');
    h.at(60_003).submit('i3');
    const info = h.engine.interaction('i3')!;
    expect(info.position).toBe(3);
    expect(info.estimatedWaitMs).toBe(3 * 60_000);
    const stats = h.engine.queueStats('q', 70_000)!;
    expect(stats).toMatchObject({ waiting: 3, offered: 0, oldestWaitMs: 9_999, answered: 1, averageHandleMs: 60_000 });
  });
});

describe('capacity and blending', () => {
  const blended = {
    total: 3,
    channels: {
      voice: { cost: 3, max: 1 },
      chat: { cost: 1, max: 2 },
      email: { cost: 1, max: 1, interruptible: true },
    },
  };

  it('respects per-channel maxima and the total', () => {
    const h = new Harness().queue('q').agent('a', { capacity: blended });
    h.submit('c1', { channel: 'chat' });
    h.submit('c2', { channel: 'chat' });
    h.submit('c3', { channel: 'chat' });
    expect(h.status('c1')).toBe('offered');
    expect(h.status('c2')).toBe('offered');
    expect(h.status('c3')).toBe('queued'); // chat max 2
    h.submit('v1', { channel: 'voice' });
    expect(h.status('v1')).toBe('queued'); // 2 + 3 > 3
    h.submit('e1', { channel: 'email' });
    expect(h.status('e1')).toBe('offered'); // 2 + 1 ≤ 3
    expect(h.engine.agentLoad('a')).toMatchObject({ units: 3, channels: { chat: 2, email: 1 } });
  });

  it('interruptible email does not block a call', () => {
    const h = new Harness().queue('q').agent('a', { capacity: blended });
    h.submit('e1', { channel: 'email' });
    h.submit('v1', { channel: 'voice' });
    expect(h.status('e1')).toBe('offered');
    expect(h.status('v1')).toBe('offered');
  });
});
