import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

const offersIn = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'InteractionOffered' ? [{ agentId: e.agentId, offerId: e.offerId }] : []));

/** A queue offering each interaction to three agents at once, and four idle agents (a0 idle longest). */
function world(extra: object = {}) {
  const h = new Harness().queue('q', { offerFanout: 3, offerTimeoutMs: 10_000, ...extra });
  for (let i = 0; i < 4; i++) h.at(i).agent(`a${i}`);
  return h.at(10);
}

describe('multi-offer (QueueSpec.offerFanout)', () => {
  it('offers one interaction to the fanout best agents at once, each holding capacity; the first accept takes it and the others are rescinded as taken', () => {
    const h = world();
    const offers = offersIn(h.submit('i1'));
    expect(offers.map((o) => o.agentId)).toEqual(['a0', 'a1', 'a2']);
    for (const o of offers) expect(h.engine.agentLoad(o.agentId)!.units).toBe(1);
    expect(h.engine.interaction('i1')!.offers.map((o) => o.agentId)).toEqual(['a0', 'a1', 'a2']);
    expect(h.engine.counts().offers).toBe(3);
    // a3 is still idle: another interaction goes to it, not to a holder.
    expect(offersIn(h.submit('i2')).map((o) => o.agentId)).toEqual(['a3']);

    const ev = h.at(20).ok({ type: 'AcceptOffer', agentId: 'a1', offerId: offers[1].offerId });
    expect(ev.slice(0, 3).map((e) => [e.type, 'agentId' in e ? e.agentId : null, 'reason' in e ? e.reason : null])).toEqual([
      ['OfferRescinded', 'a0', 'taken'],
      ['OfferRescinded', 'a2', 'taken'],
      ['InteractionAssigned', 'a1', null],
    ]);
    // a0 and a2 are free again: i2 (fanout 3) is offered to them beside a3.
    expect(
      offersIn(ev.slice(3))
        .map((o) => o.agentId)
        .sort(),
    ).toEqual(['a0', 'a2']);
    expect(h.engine.interaction('i2')!.offers).toHaveLength(3);
    expect(h.engine.interaction('i1')).toMatchObject({ status: 'assigned', agentId: 'a1', offers: [] });
    // A late answer to a rescinded offer is told it is closed.
    h.rejects({ type: 'AcceptOffer', agentId: 'a0', offerId: offers[0].offerId }, 'OFFER_CLOSED');
    // The accept repeated is a safe retry.
    expect(h.engine.apply({ type: 'AcceptOffer', agentId: 'a1', offerId: offers[1].offerId }, 20)).toMatchObject({ ok: true, duplicate: true, events: [] });
  });

  it('a decline frees a place: the next best agent is offered it, never the decliner again; the last decline returns it to the queue', () => {
    const h = world();
    const offers = offersIn(h.submit('i1'));
    const ev = h.ok({ type: 'RejectOffer', agentId: 'a0', offerId: offers[0].offerId });
    expect(ev.map((e) => e.type)).toEqual(['OfferRejected', 'InteractionOffered']);
    expect(offersIn(ev)[0].agentId).toBe('a3');
    expect(h.status('i1')).toBe('offered');
    for (const a of ['a1', 'a2', 'a3']) {
      const o = h.engine.interaction('i1')!.offers.find((x) => x.agentId === a)!;
      h.ok({ type: 'RejectOffer', agentId: a, offerId: o.offerId });
    }
    expect(h.engine.interaction('i1')).toMatchObject({ status: 'queued', offers: [] });
    const x = h.engine.explain('i1')!;
    expect(x.agents.every((v) => v.reasons.some((r) => r.reason === 'rejected_before'))).toBe(true);
  });

  it('offers made together run out together; every holder is set away (no_answer) and the interaction waits again', () => {
    const h = world();
    h.submit('i1');
    const ev = h.tick(10 + 10_000);
    expect(ev.filter((e) => e.type === 'OfferTimedOut')).toHaveLength(3);
    expect(ev.filter((e) => e.type === 'AgentStateChanged' && e.to === 'away')).toHaveLength(3);
    // a3 was never offered it: it is now offered to a3 alone.
    expect(offersIn(ev).map((o) => o.agentId)).toEqual(['a3']);
    expect(h.engine.nextDeadline()).toBe(10_010 + 10_000);
  });

  it('offers made at different times run out each at its own time', () => {
    const h = world({ noAnswerAway: false });
    const [first] = offersIn(h.submit('i1'));
    h.at(100).ok({ type: 'RejectOffer', agentId: 'a1', offerId: h.engine.interaction('i1')!.offers[1].offerId });
    // a3 took a1's place at 100; the three first offers expire at 10_010, a3's at 10_100.
    expect(h.engine.interaction('i1')!.offers.map((o) => [o.agentId, o.expiresAt])).toEqual([
      ['a0', 10_010],
      ['a2', 10_010],
      ['a3', 10_100],
    ]);
    const ev = h.tick(10_010);
    expect(ev.filter((e) => e.type === 'OfferTimedOut').map((e) => (e as { offerId: string }).offerId)).toContain(first.offerId);
    expect(h.engine.interaction('i1')!.offers.map((o) => o.agentId)).toEqual(['a3', 'a0', 'a2']);
    expect(h.engine.nextDeadline()).toBe(10_100);
  });

  it('a cancel, a transfer or a holder going away withdraws the offers it concerns', () => {
    const h = world().queue('other');
    h.submit('i1');
    h.ok({ type: 'SetAgentState', agentIds: ['a0'], state: 'away' });
    expect(h.engine.interaction('i1')!.offers.map((o) => o.agentId)).toEqual(['a1', 'a2', 'a3']);
    const t = h.ok({ type: 'TransferInteraction', interactionId: 'i1', queue: 'other' });
    expect(t.filter((e) => e.type === 'OfferRescinded').map((e) => (e as { reason: string }).reason)).toEqual([
      'interaction_transferred',
      'interaction_transferred',
      'interaction_transferred',
    ]);
    // The other queue offers one at a time.
    expect(offersIn(t)).toHaveLength(1);
    h.ok({ type: 'UpsertQueue', queue: { id: 'other', offerFanout: 2 } });
    expect(h.engine.interaction('i1')!.offers).toHaveLength(2);
    const c = h.ok({ type: 'CancelInteraction', interactionId: 'i1', reason: 'cancelled' });
    expect(c.map((e) => e.type)).toEqual(['OfferRescinded', 'OfferRescinded', 'InteractionCancelled']);
    for (let i = 0; i < 4; i++) expect(h.engine.agentLoad(`a${i}`)!.units).toBe(0);
  });

  it('a lower fanout lets open offers run their course and makes no new one beyond it', () => {
    const h = world();
    const offers = offersIn(h.submit('i1'));
    h.ok({ type: 'UpsertQueue', queue: { id: 'q', offerFanout: 1 } });
    const ev = h.ok({ type: 'RejectOffer', agentId: 'a0', offerId: offers[0].offerId });
    expect(ev.map((e) => e.type)).toEqual(['OfferRejected']);
    expect(h.engine.interaction('i1')!.offers).toHaveLength(2);
  });

  it('required agents are offered it together, up to the fanout', () => {
    const h = world();
    const ev = h.submit('i1', { requiredAgents: ['a2', 'a3'] });
    expect(offersIn(ev).map((o) => o.agentId)).toEqual(['a2', 'a3']);
  });

  it('explains every open offer and why a holder is not offered it again', () => {
    const h = world();
    h.submit('i1');
    const x = h.engine.explain('i1')!;
    expect(x.choice?.agentId).toBe('a0');
    expect(x.otherChoices.map((c) => c.agentId)).toEqual(['a1', 'a2']);
    expect(x.agents.find((v) => v.agentId === 'a1')!.reasons).toEqual([{ reason: 'offered' }]);
  });

  it('open offers survive a snapshot and restore; an accept after it takes the interaction', async () => {
    const h = world();
    const offers = offersIn(h.submit('i1'));
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    expect(restored.interaction('i1')!.offers).toEqual(h.engine.interaction('i1')!.offers);
    const r = restored.apply({ type: 'AcceptOffer', agentId: 'a2', offerId: offers[2].offerId }, 30);
    expect(r.ok && r.events.map((e) => e.type)).toEqual(['OfferRescinded', 'OfferRescinded', 'InteractionAssigned']);
    expect(restored.tick(20_000).filter((e) => e.type === 'OfferTimedOut')).toEqual([]);
  });

  it('refuses a fanout outside 1–50 and changes nothing', () => {
    const h = new Harness().queue('q');
    for (const bad of [0, 51, 2.5, '3']) h.rejects({ type: 'UpsertQueue', queue: { id: 'q', offerFanout: bad as number } }, 'INVALID_ARGUMENT');
    expect(h.engine.configuration()?.queues?.[0].offerFanout).toBe(1);
    h.queue('q', { offerFanout: 50 });
    expect(h.engine.configuration()?.queues?.[0].offerFanout).toBe(50);
  });
});
