import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

describe('RemoveQueue', () => {
  it('refuses while anything refers to the queue, and changes nothing', () => {
    const h = new Harness().queue('old').queue('other', { overflowQueue: 'old', maxWaitMs: 1000 });
    h.rejects({ type: 'RemoveQueue', queueId: 'old' }, 'QUEUE_IN_USE'); // other overflows into it
    h.ok({ type: 'UpsertQueue', queue: { id: 'other', overflowQueue: null } });
    h.agent('member', { queues: { old: {} } }, false);
    h.rejects({ type: 'RemoveQueue', queueId: 'old' }, 'QUEUE_IN_USE'); // an agent lists it
    h.ok({ type: 'UpsertAgent', agent: { id: 'member' } });
    h.ok({ type: 'SetAgentState', agentIds: ['member'], state: 'available' });
    h.submit('held', { queue: 'old' });
    h.acceptOffer('held');
    h.rejects({ type: 'RemoveQueue', queueId: 'old', moveTo: 'other' }, 'QUEUE_IN_USE'); // assigned work
    h.ok({ type: 'CompleteInteraction', agentId: 'member', interactionId: 'held' });
    h.ok({ type: 'SetAgentState', agentIds: ['member'], state: 'away' });
    h.submit('waiting', { queue: 'old' });
    h.rejects({ type: 'RemoveQueue', queueId: 'old' }, 'QUEUE_IN_USE'); // waiting work, no moveTo
    h.rejects({ type: 'RemoveQueue', queueId: 'old', moveTo: 'old' }, 'INVALID_ARGUMENT');
    h.submit('steps-in', { queue: 'other', relaxation: [{ afterMs: 60_000, queue: 'old' }] });
    h.ok({ type: 'CancelInteraction', interactionId: 'waiting', reason: 'cancelled' });
    h.rejects({ type: 'RemoveQueue', queueId: 'old' }, 'QUEUE_IN_USE'); // a step would move work into it
    h.ok({ type: 'CancelInteraction', interactionId: 'steps-in', reason: 'cancelled' });
    h.submit('waiting2', { queue: 'old' });
    h.rejects({ type: 'RemoveQueue', queueId: 'old', moveTo: 'nowhere' }, 'UNKNOWN_QUEUE');
    h.rejects({ type: 'RemoveQueue', queueId: 'nowhere' }, 'UNKNOWN_QUEUE');
    expect(h.engine.interaction('waiting2')!.queueId).toBe('old');
  });

  it('moves its waiting work to moveTo keeping the arrival, then forgets the queue and its signatures', () => {
    const h = new Harness().skills('s').queue('old').queue('new');
    h.at(0).submit('w1', { queue: 'old', skills: { s: 3 } });
    h.at(5).submit('w2', { queue: 'old' });
    const before = h.engine.counts().signatures;
    const ev = h.at(10).ok({ type: 'RemoveQueue', queueId: 'old', moveTo: 'new' });
    expect(h.types(ev)).toEqual(['InteractionTransferred', 'InteractionTransferred', 'QueueRemoved']);
    expect(h.engine.interaction('w1')).toMatchObject({ queueId: 'new', arrival: 0 });
    expect(h.engine.queueIds()).toEqual(['new']);
    expect(h.engine.counts().signatures).toBe(before); // two moved over, the old two forgotten
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'old' } }, 'UNKNOWN_QUEUE');
    // A queue made later gets a new index, and a snapshot keeps them apart.
    h.queue('old');
    h.agent('a', { skills: { s: 5 } });
    const e = Engine.restore(structuredClone(h.engine.snapshot()));
    expect(e.apply({ type: 'SubmitInteraction', interaction: { id: 'y', channel: 'voice', queue: 'old' } }, 20).ok).toBe(true);
    expect(e.configuration()!.queues!.map((q) => q.id)).toEqual(['new', 'old']);
  });
});

describe('RemoveSkill', () => {
  it('refuses while an agent has it or an interaction requires it, now or in a step or an alternative', () => {
    const h = new Harness().skills('gone', 'kept').queue('q');
    h.agent('a', { skills: { gone: 1 } }, false);
    h.rejects({ type: 'RemoveSkill', skill: 'gone' }, 'SKILL_IN_USE');
    h.ok({ type: 'RemoveAgent', agentId: 'a' });
    h.submit('now', { skills: { gone: 1 } });
    h.rejects({ type: 'RemoveSkill', skill: 'gone' }, 'SKILL_IN_USE');
    h.ok({ type: 'CancelInteraction', interactionId: 'now', reason: 'cancelled' });
    h.submit('later', { skills: { kept: 1 }, relaxation: [{ afterMs: 1000, skills: { gone: 1 } }] });
    h.rejects({ type: 'RemoveSkill', skill: 'gone' }, 'SKILL_IN_USE');
    h.ok({ type: 'CancelInteraction', interactionId: 'later', reason: 'cancelled' });
    h.submit('alt', { alternatives: [{ skills: { kept: 1 } }, { skills: { gone: 2 } }] });
    h.rejects({ type: 'RemoveSkill', skill: 'gone' }, 'SKILL_IN_USE');
    h.ok({ type: 'CancelInteraction', interactionId: 'alt', reason: 'cancelled' });
    h.rejects({ type: 'RemoveSkill', skill: 'never' }, 'UNKNOWN_SKILL');
  });

  it('removes an unused skill: it can no longer be named, and what named it is forgotten', () => {
    const h = new Harness().skills('gone').queue('q');
    h.submit('i', { skills: { gone: 1 } });
    h.ok({ type: 'CancelInteraction', interactionId: 'i', reason: 'cancelled' });
    const before = h.engine.counts().signatures;
    expect(h.types(h.ok({ type: 'RemoveSkill', skill: 'gone' }))).toEqual(['SkillRemoved']);
    expect(h.engine.counts().signatures).toBe(before - 1);
    h.rejects({ type: 'UpsertAgent', agent: { id: 'b', skills: { gone: 1 } } }, 'UNKNOWN_SKILL');
    expect(h.engine.configuration()!.skills).toEqual([]);
  });
});
