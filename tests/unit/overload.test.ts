import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

const offered = (events: EngineEvent[]) => Object.fromEntries(events.flatMap((e) => (e.type === 'InteractionOffered' ? [[e.interactionId, e.agentId]] : [])));
const of = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

/** Voice with one regular agent (v1) and a reserve (b1) that joins when the oldest call has waited 30 s. */
function voice(until?: { oldestWaitMs?: number }) {
  return new Harness()
    .queue('voice', {
      offerTimeoutMs: 600_000,
      serviceObjective: { percent: 80, thresholdMs: 600_000 },
      reserveWhen: { oldestWaitMs: 30_000 },
      ...(until ? { reserveUntil: until } : {}),
    })
    .queue('back', { offerTimeoutMs: 600_000 })
    .agent('v1', { queues: { voice: {} } })
    .agent('b1', { queues: { voice: { reserve: true }, back: {} } })
    .at(10);
}

describe('reserve agents and overload (QueueSpec.reserveWhen, queues[q].reserve)', () => {
  it('a reserve agent takes the queue’s work only while it is in overload, by a timer on the oldest wait', () => {
    const h = voice();
    expect(offered(h.submit('c1', { queue: 'voice' }))).toEqual({ c1: 'v1' });
    // v1 is busy; b1 is a reserve of voice and stays idle beside c2.
    expect(offered(h.submit('c2', { queue: 'voice' }))).toEqual({});
    const why = h.engine.explain('c2')!.agents.find((v) => v.agentId === 'b1')!;
    expect(why.reasons).toEqual([{ reason: 'reserve_inactive', queue: 'voice' }]);
    // Its own queue's work it takes at once.
    expect(offered(h.submit('e1', { queue: 'back' }))).toEqual({ e1: 'b1' });
    h.ok({ type: 'RejectOffer', agentId: 'b1', offerId: h.offerOf('e1').offerId });
    // At 30 s of waiting the timer fires: overload starts, and b1 takes c2.
    expect(of(h.tick(30_009), 'QueueOverloadStarted')).toEqual([]);
    expect(h.engine.nextDeadline()).toBe(30_010);
    const at = h.tick(30_010);
    expect(of(at, 'QueueOverloadStarted')).toEqual([{ type: 'QueueOverloadStarted', at: 30_010, queueId: 'voice', measure: 'oldestWaitMs', value: 30_000 }]);
    expect(offered(at)).toEqual({ c2: 'b1' });
    expect(h.engine.queueStats('voice')!.overloaded).toBe(false); // c2 left: nothing waits, overload ended
    expect(of(at, 'QueueOverloadEnded')).toHaveLength(1);
  });

  it('ends by its hysteresis (reserveUntil), not at the first dip', () => {
    const h = voice({ oldestWaitMs: 5_000 })
      .agent('v2', { queues: { voice: {} } }, false)
      .agent('v3', { queues: { voice: {} } }, false);
    h.submit('c1', { queue: 'voice' });
    h.submit('c2', { queue: 'voice' });
    h.submit('c3', { queue: 'voice' });
    h.at(20_000);
    h.submit('c4', { queue: 'voice' });
    const start = h.tick(30_010);
    expect(of(start, 'QueueOverloadStarted')).toHaveLength(1);
    expect(offered(start)).toEqual({ c2: 'b1' });
    // c3 (waiting 30 s) and c4 (10 s) still wait: in overload until the oldest is under 5 s.
    h.at(30_020).ok({ type: 'SetAgentState', agentIds: ['v2'], state: 'available' });
    expect(h.engine.queueStats('voice')!.overloaded).toBe(true);
    const end = h.at(30_030).ok({ type: 'SetAgentState', agentIds: ['v3'], state: 'available' });
    expect(offered(end)).toEqual({ c4: 'v3' });
    expect(of(end, 'QueueOverloadEnded')).toHaveLength(1);
  });

  it('starts on the estimated wait when nobody regular is logged in, and on the service level', () => {
    const h = new Harness()
      .queue('voice', { reserveWhen: { estimatedWaitMs: 60_000 } })
      .agent('b1', { queues: { voice: { reserve: true } } })
      .at(5);
    const ev = h.submit('c1', { queue: 'voice' });
    expect(of(ev, 'QueueOverloadStarted')[0]).toMatchObject({ measure: 'estimatedWaitMs', value: null });
    expect(offered(ev)).toEqual({ c1: 'b1' });
    const sl = new Harness()
      .queue('voice', { serviceObjective: { percent: 80, thresholdMs: 1_000 }, reserveWhen: { serviceLevelBelow: 0.5 } })
      .agent('v1', { queues: { voice: {} } })
      .agent('b1', { queues: { voice: { reserve: true } } }, false)
      .at(5);
    sl.submit('c1', { queue: 'voice' });
    sl.submit('c2', { queue: 'voice' });
    sl.at(10_000).acceptOffer('c1'); // answered late: service level 0
    const late = sl.engine.queueStats('voice')!;
    expect(late.serviceLevel).toBe(0);
    expect(late.overloaded).toBe(true);
  });

  it('counts the regular members its estimate reads again when the queue becomes members-only', () => {
    const h = new Harness()
      .queue('voice', { offerTimeoutMs: 600_000, reserveWhen: { estimatedWaitMs: 600_000 } })
      .agent('any') // lists no queues: a regular member while voice is open to all
      .at(5);
    h.submit('c1', { queue: 'voice' });
    expect(of(h.submit('c2', { queue: 'voice' }), 'QueueOverloadStarted')).toEqual([]); // unknown: no work handled yet
    // Members-only: nobody regular is logged in, work waits: the estimate is unbounded.
    const ev = h.ok({ type: 'UpsertQueue', queue: { id: 'voice', membersOnly: true } });
    expect(of(ev, 'QueueOverloadStarted')[0]).toMatchObject({ measure: 'estimatedWaitMs', value: null });
  });

  it('is refused out of range, and reserveUntil may not be stricter than reserveWhen', () => {
    const h = new Harness().queue('voice');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: {} } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { oldestWaitMs: 0 } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { serviceLevelBelow: 1.5 } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveUntil: { oldestWaitMs: 5 } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { oldestWaitMs: 10 }, reserveUntil: { oldestWaitMs: 20 } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { oldestWaitMs: 10 }, reserveUntil: { estimatedWaitMs: 5 } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { oldestWaitMs: 10, bogus: 1 } as never } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertAgent', agent: { id: 'a', queues: { voice: { reserve: 'yes' as never } } } }, 'INVALID_ARGUMENT');
    h.ok({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { oldestWaitMs: 10 }, reserveUntil: { oldestWaitMs: 5 } } });
  });
});

describe('overload on a multi-offer queue', () => {
  it('an overload that starts inside another call offers the reserve agent work offered to fewer agents than the fanout', () => {
    const h = new Harness()
      .queue('s', { offerFanout: 2, reserveWhen: { serviceLevelBelow: 0.5 } })
      .agent('reserve', { queues: { s: { reserve: true } } })
      .agent('other', {}, false)
      .agent('chat', { capacity: { total: 1, channels: { chat: { cost: 1, max: 1 } } } }, false);
    h.at(1).submit('late', { channel: 'chat', queue: 's' });
    h.at(2).submit('x', { queue: 's' });
    h.at(30_000).ok({ type: 'SetAgentState', agentIds: ['other', 'chat'], state: 'available' });
    expect(h.engine.interaction('x')!.offers.map((o) => o.agentId)).toEqual(['other']);
    // Answering 'late' 30 s after it came puts the queue's service level below 0.5: in overload,
    // the reserve agent takes x's second offer in the same call.
    const ev = h.acceptOffer('late');
    expect(h.types(ev)).toContain('QueueOverloadStarted');
    expect(h.engine.interaction('x')!.offers.map((o) => o.agentId)).toEqual(['other', 'reserve']);
  });
});

describe('deferrable work (QueueSpec.deferrable)', () => {
  /** One blended agent; email waits while voice is in overload (a call waiting 20 s). */
  function blend() {
    return new Harness()
      .queue('voice', { offerTimeoutMs: 600_000, reserveWhen: { oldestWaitMs: 20_000 } })
      .queue('email', { offerTimeoutMs: 600_000, deferrable: { whileHealthy: ['voice'] } })
      .agent('a1', { capacity: { total: 1, channels: { voice: { cost: 1, max: 1 }, email: { cost: 1, max: 1 } } } })
      .at(10);
  }

  it('is offered while the queues it names are healthy, and waits while one is in overload', () => {
    const h = blend();
    h.submit('call-1', { queue: 'voice' });
    h.submit('call-2', { queue: 'voice' });
    h.at(20);
    h.submit('mail-1', { queue: 'email', channel: 'email' });
    h.tick(20_010);
    expect(h.engine.queueStats('voice')!.overloaded).toBe(true);
    expect(h.engine.queueStats('email')!.deferred).toBe(true);
    expect(h.engine.explain('mail-1')!.agents[0].reasons).toContainEqual({ reason: 'deferred_while', queues: ['voice'] });
    // The agent finishes call-1: call-2 comes first anyway; then voice is healthy and the email may go.
    h.acceptOffer('call-1');
    const done = h.at(25_000).ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'call-1' });
    expect(offered(done)).toEqual({ 'call-2': 'a1' });
    expect(h.engine.queueStats('email')!.deferred).toBe(false);
    h.acceptOffer('call-2');
    expect(offered(h.at(26_000).ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'call-2' }))).toEqual({ 'mail-1': 'a1' });
  });

  it('keeps its overload state across a snapshot, and a queue it names cannot be removed', async () => {
    const h = blend();
    h.submit('call-1', { queue: 'voice' });
    h.submit('call-2', { queue: 'voice' });
    h.submit('mail-1', { queue: 'email', channel: 'email' });
    h.tick(20_010);
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    expect(restored.queueStats('voice')!.overloaded).toBe(true);
    expect(restored.queueStats('email')!.deferred).toBe(true);
    expect(restored.snapshot()).toEqual(h.engine.snapshot());
    h.rejects({ type: 'RemoveQueue', queueId: 'voice', moveTo: 'email' }, 'QUEUE_IN_USE');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'email', deferrable: { whileHealthy: ['email'] } } }, 'INVALID_ARGUMENT');
    h.rejects({ type: 'UpsertQueue', queue: { id: 'email', deferrable: { whileHealthy: ['nope'] } } }, 'UNKNOWN_QUEUE');
    // Dropping the rule ends the overload and lifts the deferral.
    const off = h.ok({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: null } });
    expect(of(off, 'QueueOverloadEnded')).toHaveLength(1);
    expect(h.engine.queueStats('email')!.deferred).toBe(false);
  });
});
