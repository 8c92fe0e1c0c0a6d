import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

const offered = (events: EngineEvent[]) => Object.fromEntries(events.flatMap((e) => (e.type === 'InteractionOffered' ? [[e.interactionId, e.agentId]] : [])));

/**
 * A care queue and a retention queue that holds `reserved` of its members idle; r1 and r2 are
 * members of both (they list their queues), c1 serves care alone (it lists none).
 */
function world(reserved: number) {
  return new Harness()
    .queue('care', { offerTimeoutMs: 60_000 })
    .queue('retention', { offerTimeoutMs: 60_000, reservedIdle: reserved })
    .at(1)
    .agent('r1', { queues: { retention: {}, care: {} } })
    .at(2)
    .agent('r2', { queues: { retention: {}, care: {} } })
    .at(3)
    .agent('c1')
    .at(10);
}

describe('trunk reservation (QueueSpec.reservedIdle)', () => {
  it('keeps that many members idle for the queue: other work waits rather than take the last of them', () => {
    const h = world(1);
    // Care work goes to r1 (idle longest) while r2 stays idle for retention, then to c1.
    expect(offered(h.submit('care-1', { queue: 'care' }))).toEqual({ 'care-1': 'r1' });
    expect(offered(h.submit('care-2', { queue: 'care' }))).toEqual({ 'care-2': 'c1' });
    // r2 is the last idle member: care-3 waits beside it.
    expect(offered(h.submit('care-3', { queue: 'care' }))).toEqual({});
    const why = h.engine.explain('care-3')!.agents.find((v) => v.agentId === 'r2')!;
    expect(why.reasons).toEqual([{ reason: 'held_for_queue', queue: 'retention', reservedIdle: 1, idle: 1 }]);
    // Retention work takes it at once.
    expect(offered(h.submit('ret-1', { queue: 'retention' }))).toEqual({ 'ret-1': 'r2' });
  });

  it('releases a held member when the reserve has room again, and when it is lowered', () => {
    const h = world(1);
    h.submit('care-1', { queue: 'care' });
    h.submit('care-2', { queue: 'care' });
    h.submit('care-3', { queue: 'care' });
    h.acceptOffer('care-1');
    // r1 finishes: two members idle, one may go; r2 (idle longer) or r1 takes care-3.
    const done = h.ok({ type: 'CompleteInteraction', agentId: 'r1', interactionId: 'care-1' });
    expect(Object.keys(offered(done))).toEqual(['care-3']);
    expect(h.submit('care-4', { queue: 'care' }).filter((e) => e.type === 'InteractionOffered')).toEqual([]);
    const off = h.ok({ type: 'UpsertQueue', queue: { id: 'retention', reservedIdle: 0 } });
    expect(offered(off)).toHaveProperty('care-4');
  });

  it('never holds an agent that works already (it has room on another channel), nor work that names the agent', () => {
    const h = new Harness()
      .queue('care', { offerTimeoutMs: 60_000, preferredWindowMs: 60_000 })
      .queue('retention', { reservedIdle: 1 })
      .agent('r1', { queues: { retention: {}, care: {} }, capacity: { total: 2, channels: { chat: { cost: 1, max: 2 } } } });
    expect(offered(h.submit('chat-1', { queue: 'care', channel: 'chat' }))).toEqual({});
    expect(offered(h.submit('ret-1', { queue: 'retention', channel: 'chat' }))).toEqual({ 'ret-1': 'r1', 'chat-1': 'r1' });
    const named = new Harness()
      .queue('care')
      .queue('retention', { reservedIdle: 1 })
      .agent('r1', { queues: { retention: {}, care: {} } });
    expect(offered(named.submit('care-1', { queue: 'care', requiredAgents: ['r1'] }))).toEqual({ 'care-1': 'r1' });
  });

  it('is counted again after a restore, and refused out of range', async () => {
    const h = world(2);
    h.submit('care-1', { queue: 'care' });
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    // c1 took care-1; both members are held (two idle, two reserved): the restored engine agrees.
    for (const e of [h.engine, restored]) {
      const r = e.apply({ type: 'SubmitInteraction', interaction: { id: 'care-2', channel: 'voice', queue: 'care' } }, 20);
      expect(r.ok && offered(r.events)).toEqual({});
      const r2 = e.apply({ type: 'SubmitInteraction', interaction: { id: 'ret-1', channel: 'voice', queue: 'retention' } }, 21);
      expect(r2.ok && offered(r2.events)).toEqual({ 'ret-1': 'r1' });
    }
    for (const bad of [-1, 10_001, 1.5]) h.rejects({ type: 'UpsertQueue', queue: { id: 'care', reservedIdle: bad } }, 'INVALID_ARGUMENT');
    expect(h.engine.configuration()?.queues?.find((q) => q.id === 'retention')?.reservedIdle).toBe(2);
  });
});
