import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';

/** GetAgent's stateSince: when the agent entered its state (time in state for supervisors), kept across snapshots. */
describe('time in state', () => {
  it('starts when the agent is defined, moves with each state change (not with work), and survives a snapshot', () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q' } }, 50);
    e.apply({ type: 'UpsertAgent', agent: { id: 'a' } }, 100);
    expect(e.agentLoad('a')).toMatchObject({ state: 'offline', stateSince: 100 });
    e.apply({ type: 'SetAgentState', agentIds: ['a'], state: 'available' }, 500);
    expect(e.agentLoad('a')).toMatchObject({ state: 'available', stateSince: 500 });
    // An offer and its answer are work, not a state change.
    e.apply({ type: 'SubmitInteraction', interaction: { id: 'i', channel: 'voice', queue: 'q' } }, 600);
    const offerId = e.agentLoad('a')!.offers[0].offerId;
    e.apply({ type: 'AcceptOffer', agentId: 'a', offerId }, 700);
    expect(e.agentLoad('a')!.stateSince).toBe(500);
    e.apply({ type: 'SetAgentState', agentIds: ['a'], state: 'away', reason: 'lunch' }, 900);
    const restored = Engine.restore(structuredClone(e.snapshot()));
    expect(restored.agentLoad('a')).toMatchObject({ state: 'away', reason: 'lunch', stateSince: 900 });
  });
});
