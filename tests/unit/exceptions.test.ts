import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent, type ExceptionRule } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

const fired = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'ExceptionTriggered' ? [`${e.interactionId}:${e.rule}:${e.trigger}/${e.action}`] : []));

function world(rules: ExceptionRule[], extra: object = {}) {
  return new Harness().queue('over').queue('q', { exceptions: rules, ...extra });
}

describe('exception rules (QueueSpec.exceptions)', () => {
  it('queueLength refuses a submission when the queue is full, and creates nothing', () => {
    const h = world([{ trigger: { type: 'queueLength', threshold: 2 }, action: { type: 'refuse' } }]);
    h.submit('i1');
    h.submit('i2');
    const r = h.rejects({ type: 'SubmitInteraction', interaction: { id: 'i3', channel: 'voice', queue: 'q' } }, 'QUEUE_REFUSED');
    expect(r.events).toEqual([]);
    expect(h.engine.interaction('i3')).toBeNull();
    expect(h.engine.queueStats('q')!.arrived).toBe(2);
  });

  it('fires every rule that holds, in order, up to the first that moves or ends the interaction', () => {
    const h = world([
      { trigger: { type: 'queueLength', threshold: 0 }, action: { type: 'setPriority', priority: 9 } },
      { trigger: { type: 'noEligibleAgents' }, action: { type: 'overflow', queue: 'over' } },
      { trigger: { type: 'queueLength', threshold: 0 }, action: { type: 'cancel', reason: 'never' } },
    ]);
    const ev = h.submit('i1');
    expect(fired(ev)).toEqual(['i1:0:queueLength/setPriority', 'i1:1:noEligibleAgents/overflow']);
    expect(ev.map((e) => e.type)).toEqual(['InteractionQueued', 'ExceptionTriggered', 'ExceptionTriggered', 'InteractionOverflowed']);
    expect(h.engine.interaction('i1')).toMatchObject({ queueId: 'over', priority: 9, arrival: 0 });
  });

  it('waitMs fires once the interaction has waited that long, queued; cancel carries its reason', () => {
    const h = world([{ trigger: { type: 'waitMs', threshold: 30_000 }, action: { type: 'cancel', reason: 'too_long' } }]);
    h.submit('i1');
    expect(fired(h.tick(29_999))).toEqual([]);
    const ev = h.tick(30_000);
    expect(fired(ev)).toEqual(['i1:0:waitMs/cancel']);
    expect(ev).toContainEqual({ type: 'InteractionCancelled', at: 30_000, interactionId: 'i1', queueId: 'q', stage: 'queued', reason: 'too_long' });
    expect(h.status('i1')).toBe('cancelled');
  });

  it('a waitMs rule due while offered fires when the offer ends, not during it', () => {
    const h = world([{ trigger: { type: 'waitMs', threshold: 10_000 }, action: { type: 'overflow', queue: 'over' } }], {
      offerTimeoutMs: 20_000,
      noAnswerAway: false,
    }).agent('a');
    h.submit('i1');
    expect(fired(h.tick(15_000))).toEqual([]);
    const ev = h.at(16_000).ok({ type: 'RejectOffer', agentId: 'a', offerId: h.offerOf('i1').offerId });
    expect(fired(ev)).toEqual(['i1:0:waitMs/overflow']);
    expect(h.engine.interaction('i1')!.queueId).toBe('over');
  });

  it('a waitMs rule due while offered fires when the interaction is converted to a callback and waits queued again', () => {
    const h = world([{ trigger: { type: 'waitMs', threshold: 10_000 }, action: { type: 'overflow', queue: 'over' } }], { offerTimeoutMs: 20_000 }).agent('a');
    h.submit('i1');
    expect(fired(h.tick(15_000))).toEqual([]);
    const ev = h.at(16_000).ok({ type: 'ConvertToCallback', interactionId: 'i1', channel: 'callback' });
    expect(fired(ev)).toEqual(['i1:0:waitMs/overflow']);
    expect(h.engine.interaction('i1')!.queueId).toBe('over');
  });

  it('noEligibleAgents fires on submission, and when the last agent who could take waiting work logs out', () => {
    const h = world([{ trigger: { type: 'noEligibleAgents' }, action: { type: 'setPriority', priority: 50 } }], { offerTimeoutMs: 60_000 })
      .skills('fr')
      .agent('a', { skills: { fr: 5 } })
      .agent('b', { skills: { fr: 5 } });
    h.submit('busy1', { skills: { fr: 1 } });
    h.submit('busy2', { skills: { fr: 1 } });
    h.submit('w', { skills: { fr: 1 } });
    expect(fired(h.submit('x', { skills: { fr: 9 } }))).toEqual(['x:0:noEligibleAgents/setPriority']);
    expect(fired(h.ok({ type: 'SetAgentState', agentIds: ['a'], state: 'offline' }))).toEqual([]);
    // b was the last: everything waiting that it could take (its own offer, withdrawn, included).
    expect(fired(h.ok({ type: 'SetAgentState', agentIds: ['b'], state: 'offline' }))).toEqual([
      'busy1:0:noEligibleAgents/setPriority',
      'busy2:0:noEligibleAgents/setPriority',
      'w:0:noEligibleAgents/setPriority',
    ]);
    expect(h.engine.interaction('w')!.priority).toBe(50);
  });

  it('estimatedWaitMs and serviceLevelBelow read the queue on submission, once it has handled work', () => {
    const h = world(
      [
        { trigger: { type: 'serviceLevelBelow', threshold: 0.9 }, action: { type: 'setPriority', priority: 7 } },
        { trigger: { type: 'estimatedWaitMs', threshold: 60_000 }, action: { type: 'overflow', queue: 'over' } },
      ],
      { serviceObjective: { percent: 80, thresholdMs: 10_000 } },
    ).agent('a');
    // Unknown before anything was handled: nothing fires.
    expect(fired(h.submit('first'))).toEqual([]);
    h.acceptOffer('first');
    h.at(100_000).ok({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'first' });
    // Answered within the threshold (1 of 1): the service level holds; one agent busy 100 s per call.
    h.submit('second');
    h.acceptOffer('second');
    h.at(100_001).submit('wait1');
    const ev = h.submit('wait2');
    // wait2 would be second in line: 2 × 100 s ÷ 1 agent > 60 s.
    expect(fired(ev)).toEqual(['wait2:1:estimatedWaitMs/overflow']);
  });

  it('a new rule list applies at once to the waiting work, and survives a snapshot', async () => {
    const h = world([]);
    h.submit('i1');
    const ev = h.at(50_000).ok({
      type: 'UpsertQueue',
      queue: { id: 'q', exceptions: [{ trigger: { type: 'waitMs', threshold: 20_000 }, action: { type: 'setPriority', priority: 3 } }] },
    });
    expect(ev.map((e) => e.type).filter((t) => t !== 'InteractionReclassified')).toEqual(['QueueUpserted', 'ExceptionTriggered']);
    h.submit('i2');
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    expect(restored.configuration()?.queues?.find((q) => q.id === 'q')?.exceptions).toHaveLength(1);
    expect(fired(restored.tick(70_000))).toEqual(['i2:0:waitMs/setPriority']);
    expect(fired(restored.tick(200_000))).toEqual([]);
  });

  it('refuses malformed rules and changes nothing; a queue an exception overflows into cannot be removed', () => {
    const h = world([{ trigger: { type: 'waitMs', threshold: 1 }, action: { type: 'overflow', queue: 'over' } }]);
    const bad = [
      [{ trigger: { type: 'waitMs', threshold: 1 }, action: { type: 'refuse' } }],
      [{ trigger: { type: 'queueLength', threshold: -1 }, action: { type: 'refuse' } }],
      [{ trigger: { type: 'serviceLevelBelow', threshold: 2 }, action: { type: 'refuse' } }],
      [{ trigger: { type: 'soon' }, action: { type: 'refuse' } }],
      [{ trigger: { type: 'noEligibleAgents' }, action: { type: 'overflow', queue: 'q' } }],
      [{ trigger: { type: 'noEligibleAgents' }, action: { type: 'wait' } }],
    ];
    for (const rules of bad) h.rejects({ type: 'UpsertQueue', queue: { id: 'q', exceptions: rules as never } }, 'INVALID_ARGUMENT');
    h.rejects(
      { type: 'UpsertQueue', queue: { id: 'q', exceptions: [{ trigger: { type: 'noEligibleAgents' }, action: { type: 'overflow', queue: 'nope' } }] } },
      'UNKNOWN_QUEUE',
    );
    const nine = Array.from({ length: 9 }, () => ({ trigger: { type: 'noEligibleAgents' as const }, action: { type: 'refuse' as const } }));
    h.rejects({ type: 'UpsertQueue', queue: { id: 'q', exceptions: nine } }, 'LIMIT_EXCEEDED');
    expect(h.engine.configuration()?.queues?.find((q) => q.id === 'q')?.exceptions).toHaveLength(1);
    h.rejects({ type: 'RemoveQueue', queueId: 'over' }, 'QUEUE_IN_USE');
  });
});
