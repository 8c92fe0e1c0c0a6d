import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

const types = (events: EngineEvent[]) => events.map((e) => e.type);
const offeredTo = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'InteractionOffered' ? [`${e.interactionId}→${e.agentId}`] : []));

describe('scheduled work (InteractionSpec.notBefore)', () => {
  it('is held out of routing until its time, then offered, with its wait in queue counted from then', () => {
    const h = new Harness().queue('q', { maxWaitMs: 60_000 }).agent('a').at(1_000);
    const ev = h.submit('cb', { notBefore: 100_000 });
    expect(ev).toEqual([{ type: 'InteractionQueued', at: 1_000, interactionId: 'cb', queueId: 'q', channel: 'voice', seq: 0, notBefore: 100_000 }]);
    expect(h.engine.interaction('cb')).toMatchObject({ status: 'queued', notBefore: 100_000 });
    expect(h.engine.explain('cb')!.agents[0].reasons).toEqual([{ reason: 'not_before', until: 100_000 }]);
    // Other work goes first meanwhile.
    expect(offeredTo(h.at(2_000).submit('now'))).toEqual(['now→a']);
    h.acceptOffer('now');
    h.ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'now' });
    // Its band timers run meanwhile (it is late by its SLA deadline), but nothing offers it.
    expect(offeredTo(h.tick(99_999))).toEqual([]);
    const at = h.tick(100_000);
    expect(types(at)).toEqual(['InteractionReleased', 'InteractionOffered']);
    expect(h.engine.interaction('cb')!.notBefore).toBeNull();
    // Max wait counts from the release: a minute after it, not after the submission.
    h.ok({ type: 'RejectOffer', agentId: 'a', offerId: h.offerOf('cb').offerId });
    expect(types(h.tick(159_999))).toEqual([]);
    expect(types(h.tick(160_000))).toEqual(['InteractionExpired']);
  });

  it('a requirement by name runs from the release', () => {
    const h = new Harness().queue('q').agent('a').agent('b');
    h.submit('cb', { notBefore: 10_000, requiredAgents: ['b'], requiredForMs: 5_000 });
    h.at(5_000).ok({ type: 'SetAgentState', agentIds: ['b'], state: 'away' });
    expect(types(h.tick(10_000))).toEqual(['InteractionReleased']);
    expect(types(h.tick(14_999))).toEqual([]);
    expect(offeredTo(h.tick(15_000))).toEqual(['cb→a']);
  });

  it('refuses a time not a number, or more than 30 days ahead; at or before now it is not held', () => {
    const h = new Harness().queue('q').agent('a').at(1_000);
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', notBefore: 1_000 + 31 * 86_400_000 } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'y', channel: 'voice', queue: 'q', notBefore: Number.NaN } }, 'INVALID_ARGUMENT');
    expect(h.engine.counts().interactions).toBe(0);
    expect(offeredTo(h.submit('z', { notBefore: 999 }))).toEqual(['z→a']);
  });
});

describe('ConvertToCallback', () => {
  it('turns a waiting call into a callback on another channel that keeps its place in line and waits for its time', () => {
    const h = new Harness().queue('q').agent('a', { capacity: { total: 1, channels: { voice: { cost: 1, max: 1 }, callback: { cost: 1, max: 1 } } } }, false);
    h.at(1).submit('first');
    h.at(2).submit('second');
    const ev = h.at(3).ok({ type: 'ConvertToCallback', interactionId: 'first', channel: 'callback', notBefore: 50_000 });
    expect(ev).toEqual([{ type: 'InteractionConverted', at: 3, interactionId: 'first', channel: 'callback', notBefore: 50_000 }]);
    expect(h.engine.interaction('first')).toMatchObject({ channel: 'callback', notBefore: 50_000, arrival: 1 });
    // The same conversion again changes nothing.
    expect(h.engine.apply({ type: 'ConvertToCallback', interactionId: 'first', channel: 'callback', notBefore: 50_000 }, 3)).toMatchObject({
      ok: true,
      duplicate: true,
      events: [],
    });
    h.at(4).ok({ type: 'SetAgentState', agentIds: ['a'], state: 'away' });
    h.tick(50_000);
    // Released, it is ahead of `second` (arrival 1 before 2) when the agent comes back.
    expect(offeredTo(h.at(60_000).ok({ type: 'SetAgentState', agentIds: ['a'], state: 'available' }))).toEqual(['first→a']);
  });

  it('withdraws an open offer (converted), and is refused once assigned', () => {
    const h = new Harness().queue('q').agent('a');
    h.submit('c');
    const ev = h.ok({ type: 'ConvertToCallback', interactionId: 'c', notBefore: 10_000 });
    expect(ev.map((e) => ('reason' in e ? `${e.type}:${e.reason}` : e.type))).toEqual(['OfferRescinded:converted', 'InteractionConverted']);
    expect(offeredTo(h.tick(10_000))).toEqual(['c→a']);
    h.acceptOffer('c');
    h.rejects({ type: 'ConvertToCallback', interactionId: 'c', channel: 'callback' }, 'INVALID_STATE');
    h.rejects({ type: 'ConvertToCallback', interactionId: 'nope' }, 'UNKNOWN_INTERACTION');
  });

  it('a held interaction survives a snapshot and is released on time by the restored engine', async () => {
    const h = new Harness().queue('q').agent('a');
    h.submit('c', { notBefore: 10_000 });
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    expect(restored.interaction('c')?.notBefore).toBe(10_000);
    expect(restored.nextDeadline()).toBe(10_000);
    expect(types(restored.tick(10_000))).toEqual(['InteractionReleased', 'InteractionOffered']);
  });
});
