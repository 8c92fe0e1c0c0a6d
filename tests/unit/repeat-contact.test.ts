import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';

/** QueueSpec.repeatContact: a customer's contact within the window of their last one comes in with more priority. */
const queued = (e: Engine, id: string, customerId: string | undefined, at: number, queue = 'q', priority?: number) => {
  const r = e.apply(
    {
      type: 'SubmitInteraction',
      interaction: { id, channel: 'voice', queue, ...(customerId ? { customerId } : {}), ...(priority !== undefined ? { priority } : {}) },
    },
    at,
  );
  expect(r.ok).toBe(true);
  return r.events.find((x) => x.type === 'InteractionQueued') as { repeatOf?: string };
};

describe('repeat contacts', () => {
  it('boosts a contact within the window of the same customer, on any channel or queue, and not after it', () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q', defaultPriority: 10, repeatContact: { withinMs: 60_000, priorityBoost: 30 } } }, 0);
    e.apply({ type: 'UpsertQueue', queue: { id: 'other' } }, 0);
    expect(queued(e, 'a1', 'alice', 1_000, 'other').repeatOf).toBeUndefined();
    expect(e.interaction('a1')!.priority).toBe(0);
    // Within the window (the first contact was in another queue): boosted, and it says of which.
    expect(queued(e, 'a2', 'alice', 61_000).repeatOf).toBe('a1');
    expect(e.interaction('a2')!.priority).toBe(40);
    // The window counts from the last contact (a2 at 61 s).
    expect(queued(e, 'a3', 'alice', 121_000, 'q', 80).repeatOf).toBe('a2');
    expect(e.interaction('a3')!.priority).toBe(100);
    expect(queued(e, 'a4', 'alice', 181_001).repeatOf).toBeUndefined();
    expect(e.interaction('a4')!.priority).toBe(10);
    // Another customer, or none: no boost.
    expect(queued(e, 'b1', 'bob', 181_002).repeatOf).toBeUndefined();
    expect(queued(e, 'n1', undefined, 181_003).repeatOf).toBeUndefined();
    // The queue without the setting never boosts.
    expect(queued(e, 'a5', 'alice', 181_004, 'other').repeatOf).toBeUndefined();
  });

  it('puts the repeat contact ahead of work that arrived with it, under every ordering policy that reads priority', () => {
    for (const ordering of ['service-objective', 'deadline', 'priority-age'] as const) {
      const e = new Engine({ ordering });
      e.apply({ type: 'UpsertQueue', queue: { id: 'q', repeatContact: { withinMs: 3_600_000, priorityBoost: 50 } } }, 0);
      queued(e, 'first', 'carol', 1_000);
      e.apply({ type: 'CancelInteraction', interactionId: 'first', reason: 'abandoned' }, 2_000);
      queued(e, 'stranger', 'dave', 10_000);
      expect(queued(e, 'again', 'carol', 10_000).repeatOf).toBe('first');
      e.apply({ type: 'UpsertAgent', agent: { id: 'ag', capacity: { total: 1, channels: { voice: { cost: 1, max: 1 } } } } }, 10_001);
      e.apply({ type: 'SetAgentState', agentIds: ['ag'], state: 'available' }, 10_002);
      expect(e.agentLoad('ag')!.offers[0].interactionId, ordering).toBe('again');
    }
  });

  it('is kept in snapshots; a duplicate or a refused submission is no contact', () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q', repeatContact: { withinMs: 10_000, priorityBoost: 5 } } }, 0);
    e.apply({ type: 'UpsertQueue', queue: { id: 'closed', hours: { timeZone: 'UTC', weekly: [], closedAction: { type: 'refuse' } } } }, 0);
    expect(e.apply({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'closed', customerId: 'c' } }, 100)).toMatchObject({
      ok: false,
      code: 'QUEUE_CLOSED',
    });
    expect(queued(e, 'c1', 'c', 200).repeatOf).toBeUndefined();
    const restored = Engine.restore(structuredClone(e.snapshot()));
    expect(queued(restored, 'c2', 'c', 5_000).repeatOf).toBe('c1');
    expect(restored.apply({ type: 'SubmitInteraction', interaction: { id: 'c2', channel: 'voice', queue: 'q', customerId: 'c' } }, 20_000)).toMatchObject({
      ok: true,
      duplicate: true,
    });
    // c2 at 5 s is the last contact, not the duplicate at 20 s: 30 s is past its window.
    expect(queued(restored, 'c3', 'c', 15_001).repeatOf).toBeUndefined();
    expect(restored.apply({ type: 'UpsertQueue', queue: { id: 'q', repeatContact: { withinMs: 0, priorityBoost: 5 } } }, 0)).toMatchObject({ ok: false });
    expect(restored.configuration()!.queues!.find((q) => q.id === 'q')!.repeatContact).toEqual({ withinMs: 10_000, priorityBoost: 5 });
  });
});
