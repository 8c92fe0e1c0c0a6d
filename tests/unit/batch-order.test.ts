import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/types.ts';

/** Asserts that an engine call was accepted. */
const ok = (r: { ok: boolean }) => expect(r.ok).toBe(true);
/** The offers of a call, as `interaction→agent` in event order. */
const offers = (events: readonly EngineEvent[]) => events.flatMap((x) => (x.type === 'InteractionOffered' ? [`${x.interactionId}→${x.agentId}`] : []));
/** An agent taking voice, chat and email within 3 units, and one taking chats (auto-accepted) and emails within 2. */
const MIXED = { total: 3, channels: { voice: { cost: 3, max: 1 }, chat: { cost: 1, max: 2 }, email: { cost: 1, max: 1, interruptible: true } } };
const MESSAGING = { total: 2, channels: { chat: { cost: 1, max: 2, autoAccept: true }, email: { cost: 1, max: 2 } } };

/**
 * Several interactions made routable in one call (moved together by an exception rule or a
 * RemoveQueue) are matched in the ordering policy's order, also while some agent's routing
 * profile has queue levels (then the batch is matched agent by agent and interaction by
 * interaction): an agent without levels takes the best one first, not the first one moved.
 */
describe('a batch of interactions routable at once, with levelled profiles about', () => {
  const setup = (ordering: 'priority-age' | 'deadline' | 'service-objective') => {
    const e = new Engine({ ordering });
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'support' } }, 0));
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'sales' } }, 0));
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'other' } }, 0));
    // One chat agent of support without levels; a voice agent whose profile has two levels.
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'chat', capacity: { total: 1, channels: { chat: { cost: 1, max: 1 } } }, queues: { support: {} } } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'voice', queues: { other: { priority: 1 }, support: { priority: 2 } } } }, 0));
    ok(e.apply({ type: 'SetAgentState', agentIds: ['chat', 'voice'], state: 'available' }, 0));
    for (const [id, priority, at] of [
      ['low', 0, 1],
      ['low2', 0, 2],
      ['high', 60, 3],
    ] as const)
      ok(e.apply({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'sales', priority } }, at));
    return e;
  };
  const offered = (events: readonly EngineEvent[]) => events.flatMap((x) => (x.type === 'InteractionOffered' ? [x.interactionId] : []));

  for (const ordering of ['priority-age', 'deadline', 'service-objective'] as const) {
    it(`moved by an exception rule: the higher priority is offered first (${ordering})`, () => {
      const e = setup(ordering);
      const r = e.apply(
        {
          type: 'UpsertQueue',
          queue: { id: 'sales', exceptions: [{ trigger: { type: 'waitMs', threshold: 2000 }, action: { type: 'overflow', queue: 'support' } }] },
        },
        2003,
      );
      expect(offered(r.events)).toEqual(['high']);
    });

    it(`moved by RemoveQueue: the higher priority is offered first (${ordering})`, () => {
      const e = setup(ordering);
      const r = e.apply({ type: 'RemoveQueue', queueId: 'sales', moveTo: 'support' }, 2003);
      expect(r.ok).toBe(true);
      expect(offered(r.events)).toEqual(['high']);
    });
  }

  it('a multi-offer head that finds no second agent does not hand its place to work of lower priority', () => {
    // Support (ring 2 agents) waits while sales is in overload; the one chat agent comes, takes
    // sales' call, the overload ends, and support's work is matched again: both priority-85
    // chats before the priority-0 one that came first.
    const e = new Engine({ ordering: 'priority-age' });
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'sales', reserveWhen: { oldestWaitMs: 1000 } } }, 0));
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'support', offerFanout: 2, deferrable: { whileHealthy: ['sales'] } } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'c', capacity: { total: 3, channels: { chat: { cost: 1, max: 3 } } } } }, 0));
    for (const [id, queue, priority, at] of [
      ['low', 'support', 0, 1],
      ['s', 'sales', 0, 2],
      ['hi1', 'support', 85, 3],
      ['hi2', 'support', 85, 4],
    ] as const)
      ok(e.apply({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue, priority } }, at));
    e.tick(1500);
    const r = e.apply({ type: 'SetAgentState', agentIds: ['c'], state: 'available' }, 1600);
    expect(offered(r.events)).toEqual(['s', 'hi1', 'hi2']);
  });
});

describe('a batch of agents made available at once', () => {
  it('a multi-offer head its one free agent already holds lets the next of its kind go first, not lower work of another kind', () => {
    // One chat agent and a voice agent log in together (a batch). Support rings two agents at
    // once: hi1 is offered to the chat agent and finds no second one; hi2, behind it, comes
    // before the lower-priority chat that asks for a skill (another signature).
    const e = new Engine({ ordering: 'priority-age' });
    ok(e.apply({ type: 'DefineSkill', skill: 's1' }, 0));
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'support', offerFanout: 2 } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'c', skills: { s1: 1 }, capacity: { total: 2, channels: { chat: { cost: 1, max: 2 } } } } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'v' } }, 0));
    for (const [id, priority, skills, at] of [
      ['low', 0, { s1: 1 }, 1],
      ['hi1', 1, {}, 2],
      ['hi2', 1, {}, 3],
    ] as const)
      ok(e.apply({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'support', priority, skills } }, at));
    const r = e.apply({ type: 'SetAgentState', agentIds: ['c', 'v'], state: 'available' }, 10);
    expect(offers(r.events)).toEqual(['hi1→c', 'hi2→c']);
  });

  it('an idle member a reserving queue holds back takes other work only while it holds the queue’s own', () => {
    // a4 is support's one member and support keeps one idle (reservedIdle 1). In the batch a4 is
    // offered support's email, and so may take sales chats too; the email is then moved to a1 to
    // make room, which must not leave a4 with sales work it could take only beside support's.
    const e = new Engine({ ordering: 'fifo', agentSelection: 'least-occupied' });
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'support', reservedIdle: 1 } }, 0));
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'sales' } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'a1', capacity: MIXED } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'a4', capacity: MESSAGING, queues: { sales: {}, support: {} } } }, 0));
    for (const [id, channel, queue, at] of [
      ['i0', 'chat', 'sales', 1],
      ['i1', 'email', 'support', 2],
      ['i2', 'chat', 'sales', 3],
      ['i3', 'chat', 'sales', 4],
      ['i4', 'chat', 'sales', 5],
    ] as const)
      ok(e.apply({ type: 'SubmitInteraction', interaction: { id, channel, queue } }, at));
    const r = e.apply({ type: 'SetAgentState', agentIds: ['a1', 'a4'], state: 'available' }, 10);
    const got = offers(r.events);
    // Read in event order: a4 takes sales work only while it holds support's email.
    let holdsSupport = false;
    for (const o of got) {
      if (o === 'i1→a4') holdsSupport = true;
      else if (o === 'i1→a1') holdsSupport = false;
      else if (o.endsWith('→a4')) expect(holdsSupport, `${o} in ${got.join(', ')}`).toBe(true);
    }
    expect(got.some((o) => o.endsWith('→a4'))).toBe(true);
  });
});

describe('the augmenting move and trunk reservation', () => {
  it('does not hand another queue’s work to an idle member whose queue’s other idle member takes the moved offer', () => {
    // Sales keeps one of its members idle (a0, a2). Both log in together with sales' priority-1
    // email, support's email (a0 alone may take it) and sales' priority-0 email waiting. The
    // priority-1 email goes to a0; moving it to a2 so that a0 takes support's would leave no
    // sales member idle: support's email waits, and sales' other email goes to a2.
    const e = new Engine({ ordering: 'priority-age', agentSelection: 'best-skill' });
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'sales', reservedIdle: 1 } }, 0));
    ok(e.apply({ type: 'UpsertQueue', queue: { id: 'support' } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'a0', capacity: MIXED, queues: { sales: { priority: 3 }, support: { priority: 3 } } } }, 0));
    ok(e.apply({ type: 'UpsertAgent', agent: { id: 'a2', capacity: MESSAGING, queues: { sales: { priority: 1 } } } }, 0));
    for (const [id, queue, priority, at] of [
      ['i0', 'support', 0, 1],
      ['i1', 'sales', 0, 2],
      ['i2', 'sales', 1, 3],
    ] as const)
      ok(e.apply({ type: 'SubmitInteraction', interaction: { id, channel: 'email', queue, priority } }, at));
    const r = e.apply({ type: 'SetAgentState', agentIds: ['a0', 'a2'], state: 'available' }, 10);
    const got = offers(r.events);
    // Both sales emails are offered (one to each member); support's waits.
    expect(got.map((o) => o.split('→')[0]).sort(), got.join(', ')).toEqual(['i1', 'i2']);
    expect(e.interaction('i0', 10)?.status).toBe('queued');
  });
});
