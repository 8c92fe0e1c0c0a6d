import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

describe('manual wrap-up', () => {
  it('lasts until EndWrapUp when it has no ceiling', () => {
    const h = new Harness().queue('q', { wrapUpMode: 'manual' }).agent('a');
    h.submit('i1');
    h.submit('i2');
    h.acceptOffer('i1');
    const ev = h.at(10).ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'i1' });
    expect(ev).toContainEqual({ type: 'InteractionWrapUpStarted', at: 10, interactionId: 'i1', agentId: 'a', until: null });
    h.tick(24 * 3600_000);
    expect(h.engine.agentLoad('a')).toMatchObject({ state: 'wrap_up', wrapUntil: null });
    expect(h.status('i2')).toBe('queued');
    const end = h.ok({ type: 'EndWrapUp', agentId: 'a' });
    expect(h.types(end)).toEqual(['InteractionCompleted', 'AgentStateChanged', 'InteractionOffered']);
  });

  it('wrapUpMs is its ceiling; a snapshot keeps a wrap-up with none', () => {
    const h = new Harness().queue('q', { wrapUpMode: 'manual', wrapUpMs: 30_000 }).queue('open', { wrapUpMode: 'manual' }).agent('a');
    h.submit('i1');
    h.acceptOffer('i1');
    h.ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'i1' });
    expect(h.types(h.tick(30_000))).toEqual(['InteractionCompleted', 'AgentStateChanged']);
    h.submit('i2', { queue: 'open' });
    h.acceptOffer('i2');
    h.ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'i2' });
    const e = Engine.restore(structuredClone(h.engine.snapshot()));
    expect(e.tick(10 * 24 * 3600_000)).toEqual([]);
    expect(e.apply({ type: 'EndWrapUp', agentId: 'a' }, 10 * 24 * 3600_000).ok).toBe(true);
  });

  it('refuses another mode', () => {
    new Harness().rejects({ type: 'UpsertQueue', queue: { id: 'q', wrapUpMode: 'forever' as never } }, 'INVALID_ARGUMENT');
  });
});

describe('round-robin agent selection', () => {
  it('offers in turn, by whose last offer is oldest, and logging out and in keeps the turn', () => {
    const h = new Harness({ agentSelection: 'round-robin' }).queue('q');
    h.at(0).agent('a').agent('b').agent('c');
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      h.at(10 + i * 10).submit(`i${i}`);
      const o = h.offerOf(`i${i}`);
      order.push(o.agentId);
      h.acceptOffer(`i${i}`);
      h.ok({ type: 'CompleteInteraction', agentId: o.agentId, interactionId: `i${i}` });
      // The agent who just took one logs out and in again: under longest-idle that would put
      // it last anyway; here, a logging-in agent with an old turn must come first.
      if (i === 2) {
        h.ok({ type: 'SetAgentState', agentIds: ['b'], state: 'offline' });
        h.ok({ type: 'SetAgentState', agentIds: ['b'], state: 'available' });
      }
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('longest-idle instead puts an agent who just logged in at the back', () => {
    const h = new Harness({ agentSelection: 'longest-idle' }).queue('q');
    h.at(0).agent('a').agent('b');
    h.at(5).ok({ type: 'SetAgentState', agentIds: ['a'], state: 'offline' });
    h.at(6).ok({ type: 'SetAgentState', agentIds: ['a'], state: 'available' });
    h.at(7).submit('i');
    expect(h.offerOf('i').agentId).toBe('b');
    const rr = new Harness({ agentSelection: 'round-robin' }).queue('q');
    rr.at(0).agent('a').agent('b');
    rr.at(5).ok({ type: 'SetAgentState', agentIds: ['a'], state: 'offline' });
    rr.at(6).ok({ type: 'SetAgentState', agentIds: ['a'], state: 'available' });
    rr.at(7).submit('i');
    expect(rr.offerOf('i').agentId).toBe('a');
  });
});
