import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/index.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { Harness } from '../helpers/harness.ts';

function world() {
  const h = new Harness({ limits: { maxPreferredAgents: 2, maxRequirementsPerInteraction: 3, maxInteractions: 3, maxProfiles: 1 } })
    .skills('s')
    .queue('q', { offerTimeoutMs: 1000, noAnswerAway: false })
    .agent('a1', { skills: { s: 5 } })
    .agent('a2', { skills: { s: 5 } });
  h.submit('i1');
  h.submit('i2');
  return h;
}

const cases: [string, (h: Harness) => Command, string][] = [
  ['unknown agent', () => ({ type: 'SetAgentState', agentIds: ['nobody'], state: 'available' }), 'UNKNOWN_AGENT'],
  ['a shift naming one unknown agent changes no one', () => ({ type: 'SetAgentState', agentIds: ['a1', 'nobody'], state: 'away' }), 'UNKNOWN_AGENT'],
  [
    'unknown skill in requirements',
    () => ({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', skills: { nope: 1 } } }),
    'UNKNOWN_SKILL',
  ],
  ['unknown skill on an agent', () => ({ type: 'UpsertAgent', agent: { id: 'a3', skills: { nope: 1 } } }), 'UNKNOWN_SKILL'],
  ['skill level out of range', () => ({ type: 'UpsertAgent', agent: { id: 'a3', skills: { s: 11 } } }), 'INVALID_ARGUMENT'],
  ['unknown queue', () => ({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'zz' } }), 'UNKNOWN_QUEUE'],
  [
    'too many preferred agents',
    () => ({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', preferredAgents: ['a1', 'a2', 'a1'] } }),
    'LIMIT_EXCEEDED',
  ],
  [
    'too many requirements',
    () => ({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', skills: { s: 1, t: 1, u: 1, v: 1 } } }),
    'LIMIT_EXCEEDED',
  ],
  ['over-long id', () => ({ type: 'SubmitInteraction', interaction: { id: 'x'.repeat(500), channel: 'voice', queue: 'q' } }), 'LIMIT_EXCEEDED'],
  ['priority out of range', () => ({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', priority: 1000 } }), 'INVALID_ARGUMENT'],
  [
    'relaxation out of order',
    () => ({
      type: 'SubmitInteraction',
      interaction: {
        id: 'x',
        channel: 'voice',
        queue: 'q',
        relaxation: [
          { afterMs: 5, skills: {} },
          { afterMs: 1, skills: {} },
        ],
      },
    }),
    'INVALID_ARGUMENT',
  ],
  [
    'foreign offer',
    (h) => ({ type: 'AcceptOffer', agentId: h.offerOf('i1').agentId === 'a1' ? 'a2' : 'a1', offerId: h.offerOf('i1').offerId }),
    'OFFER_NOT_YOURS',
  ],
  ['unknown offer', () => ({ type: 'AcceptOffer', agentId: 'a1', offerId: 'o999' }), 'UNKNOWN_OFFER'],
  ['complete of work not assigned to the agent', () => ({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' }), 'NOT_ASSIGNED_TO_AGENT'],
  ['unknown interaction', () => ({ type: 'CancelInteraction', interactionId: 'zz', reason: 'cancelled' }), 'UNKNOWN_INTERACTION'],
  ['a new profile beyond the profile limit', () => ({ type: 'UpsertAgent', agent: { id: 'a3', skills: { s: 9 } } }), 'LIMIT_EXCEEDED'],
  ['a control character in an id', () => ({ type: 'SubmitInteraction', interaction: { id: 'x\u0001y', channel: 'voice', queue: 'q' } }), 'INVALID_ARGUMENT'],
  ['remove a busy agent', () => ({ type: 'RemoveAgent', agentId: 'a1' }), 'AGENT_BUSY'],
  ['overflow into itself', () => ({ type: 'UpsertQueue', queue: { id: 'q', overflowQueue: 'q' } }), 'INVALID_ARGUMENT'],
  ['unknown command', () => ({ type: 'Explode' }) as unknown as Command, 'INVALID_ARGUMENT'],
  ['wrap_up is not a settable state', () => ({ type: 'SetAgentState', agentIds: ['a1'], state: 'wrap_up' }) as unknown as Command, 'INVALID_ARGUMENT'],
  ['end wrap-up with none', () => ({ type: 'EndWrapUp', agentId: 'a1' }), 'INVALID_STATE'],
];

describe('bad commands: typed rejections that change nothing', () => {
  for (const [name, make, code] of cases) {
    it(name, () => {
      const h = world();
      const cmd = make(h);
      const before = fingerprint(h.engine, h.now);
      const r = h.rejects(cmd, code);
      expect(r.events).toEqual([]);
      expect(fingerprint(h.engine, h.now)).toBe(before);
    });
  }

  it('accept after expiry is OFFER_CLOSED and changes nothing', () => {
    const h = world();
    const o = h.offerOf('i1');
    h.tick(1000); // both offers time out and go to the other agent
    const before = fingerprint(h.engine, h.now);
    h.rejects({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId }, 'OFFER_CLOSED');
    expect(fingerprint(h.engine, h.now)).toBe(before);
  });

  it('timers that fell due are fired before the command and reported even when it is rejected', () => {
    const h = world();
    const o = h.offerOf('i1');
    const r = h.engine.apply({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId }, 5000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('OFFER_CLOSED');
    expect(r.events.some((e) => e.type === 'OfferTimedOut')).toBe(true);
  });

  it('the interaction limit is CAPACITY_EXHAUSTED', () => {
    const h = world();
    h.submit('i3');
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'i4', channel: 'voice', queue: 'q' } }, 'CAPACITY_EXHAUSTED');
  });
});
