import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

/** One chat agent: two chats at once, up to `inactiveMax` inactive ones besides. */
function chatDesk(inactiveMax = 2, extra: Record<string, { cost: number; max: number; inactiveMax?: number }> = {}) {
  const h = new Harness().queue('q');
  h.agent('a1', { capacity: { total: 2, channels: { chat: { cost: 1, max: 2, autoAccept: true, inactiveMax }, ...extra } } });
  return h;
}

const chat = (h: Harness, id: string) => h.submit(id, { channel: 'chat' });
const setActive = (interactionId: string, active: boolean) => ({ type: 'UpdateInteraction' as const, interactionId, active });

describe('messaging capacity: inactive conversations (UpdateInteraction { active })', () => {
  it('an inactive conversation frees its units, so the agent takes more work', () => {
    const h = chatDesk();
    chat(h, 'c1');
    chat(h, 'c2');
    chat(h, 'c3');
    expect(h.status('c3')).toBe('queued');
    const ev = h.at(10).ok(setActive('c1', false));
    expect(ev.map((e) => e.type)).toEqual(['InteractionActivityChanged', 'InteractionOffered', 'InteractionAssigned']);
    expect(h.status('c3')).toBe('assigned');
    const load = h.engine.agentLoad('a1')!;
    expect(load.units).toBe(2);
    expect(load.channels).toEqual({ chat: 2 });
    expect(load.inactive).toEqual(['c1']);
    expect(h.engine.interaction('c1')!.activity).toBe('inactive');
    expect(h.engine.counts()).toMatchObject({ inactive: 1, waitingForRoom: 0 });
  });

  it('repeating a change is a safe retry; inactiveMax bounds the inactive ones (INACTIVE_LIMIT)', () => {
    const h = chatDesk(1);
    chat(h, 'c1');
    chat(h, 'c2');
    h.ok(setActive('c1', false));
    const again = h.engine.apply(setActive('c1', false), h.now);
    expect(again).toMatchObject({ ok: true, duplicate: true, events: [] });
    expect(h.engine.apply(setActive('c2', true), h.now)).toMatchObject({ ok: true, duplicate: true });
    h.rejects(setActive('c2', false), 'INACTIVE_LIMIT');
    expect(h.engine.agentLoad('a1')!.units).toBe(1);
  });

  it("at the limit, a conversation going quiet hands its room to the agent's waiting one (a swap)", () => {
    const h = chatDesk(1);
    chat(h, 'c1');
    chat(h, 'c2');
    h.ok(setActive('c1', false));
    chat(h, 'c3');
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    const ev = h.ok(setActive('c2', false));
    expect(
      ev
        .filter((e) => e.type === 'InteractionActivityChanged')
        .map((e) => [e.type === 'InteractionActivityChanged' && e.interactionId, e.type === 'InteractionActivityChanged' && e.active]),
    ).toEqual([
      ['c2', false],
      ['c1', true],
    ]);
    expect(h.engine.agentLoad('a1')).toMatchObject({ units: 2, inactive: ['c2'], waitingForRoom: [] });
    // No one waits now: at the limit, going quiet is refused again.
    h.rejects(setActive('c3', false), 'INACTIVE_LIMIT');
  });

  it('refuses what is not an assigned conversation, a channel without inactiveMax, and mixed changes', () => {
    const h = chatDesk(0);
    chat(h, 'c1');
    h.rejects(setActive('c1', false), 'INVALID_STATE');
    h.rejects({ type: 'UpdateInteraction', interactionId: 'c1', active: false, priority: 3 }, 'INVALID_ARGUMENT');
    h.rejects(setActive('nope', false), 'UNKNOWN_INTERACTION');
    h.ok({ type: 'UpsertQueue', queue: { id: 'other', membersOnly: true } });
    h.submit('waiting', { channel: 'chat', queue: 'other' });
    h.rejects(setActive('waiting', false), 'INVALID_STATE');
    expect(h.engine.agentLoad('a1')!.units).toBe(1);
  });

  it('active again takes its units back when there is room', () => {
    const h = chatDesk();
    chat(h, 'c1');
    h.ok(setActive('c1', false));
    expect(h.engine.agentLoad('a1')!.units).toBe(0);
    const ev = h.ok(setActive('c1', true));
    expect(ev).toEqual([{ type: 'InteractionActivityChanged', at: 0, interactionId: 'c1', agentId: 'a1', active: true }]);
    expect(h.engine.agentLoad('a1')!.units).toBe(1);
  });

  it('without room: AGENT_AT_CAPACITY, then it takes the next free room before any new work, oldest arrival first', () => {
    const h = chatDesk(3);
    h.at(1);
    chat(h, 'c1');
    h.at(2);
    chat(h, 'c2');
    h.ok(setActive('c1', false));
    h.ok(setActive('c2', false));
    h.at(3);
    chat(h, 'c3');
    chat(h, 'c4');
    expect(h.engine.agentLoad('a1')!.units).toBe(2);
    // c2 asks first, c1 (the older) second: c1 still goes first.
    h.rejects(setActive('c2', true), 'AGENT_AT_CAPACITY');
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    expect(h.engine.agentLoad('a1')!.waitingForRoom).toEqual(['c1', 'c2']);
    chat(h, 'c0');
    expect(h.engine.explain('c0')!.agents[0].reasons).toContainEqual({ reason: 'waiting_for_room', interactionId: 'c1' });
    expect(h.engine.interaction('c1')!.activity).toBe('waiting_for_room');
    // Asking again is answered the same and changes nothing.
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    chat(h, 'c5');
    h.at(4);
    const ev = h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c3' });
    // The freed room goes to c1; the agent is still full, so new work (c0, c5) waits.
    expect(ev.filter((e) => e.type === 'InteractionActivityChanged')).toEqual([
      { type: 'InteractionActivityChanged', at: 4, interactionId: 'c1', agentId: 'a1', active: true },
    ]);
    expect(h.status('c0')).toBe('queued');
    h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c4' });
    expect(h.engine.interaction('c2')!.activity).toBe('active');
    expect(h.status('c5')).toBe('queued');
    // Only once nothing of its own waits is the agent offered new work (c0 and c5, in order).
    h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c1' });
    expect(h.status('c0')).toBe('assigned');
    expect(h.status('c5')).toBe('queued');
    const load = h.engine.agentLoad('a1')!;
    expect(load.units).toBe(2);
    expect(load.waitingForRoom).toEqual([]);
    expect(h.engine.counts()).toMatchObject({ inactive: 0, waitingForRoom: 0 });
  });

  it('a waiting conversation made inactive again stops waiting, and the agent takes new work again', () => {
    const h = chatDesk(3);
    chat(h, 'c1');
    h.ok(setActive('c1', false));
    chat(h, 'c2');
    chat(h, 'c3');
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c2' });
    expect(h.engine.interaction('c1')!.activity).toBe('active');
    h.ok(setActive('c1', false));
    chat(h, 'c4');
    expect(h.status('c4')).toBe('assigned');
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    chat(h, 'c5');
    expect(h.status('c5')).toBe('queued');
    h.ok(setActive('c1', false));
    expect(h.engine.agentLoad('a1')!.waitingForRoom).toEqual([]);
    expect(h.engine.counts()).toMatchObject({ inactive: 1, waitingForRoom: 0 });
  });

  it('completing, cancelling or transferring an inactive conversation releases nothing twice', () => {
    const h = chatDesk(3);
    h.queue('other');
    chat(h, 'c1');
    chat(h, 'c2');
    chat(h, 'c3');
    h.ok(setActive('c1', false));
    h.ok(setActive('c2', false));
    chat(h, 'c4');
    h.rejects(setActive('c2', true), 'AGENT_AT_CAPACITY');
    h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c1' });
    h.ok({ type: 'CancelInteraction', interactionId: 'c2', reason: 'abandoned' });
    let load = h.engine.agentLoad('a1')!;
    expect(load.units).toBe(2);
    expect(load.channels).toEqual({ chat: 2 });
    expect(load.waitingForRoom).toEqual([]);
    h.ok(setActive('c3', false));
    h.ok({ type: 'TransferInteraction', interactionId: 'c3', queue: 'other' });
    load = h.engine.agentLoad('a1')!;
    // c3 came back to the same agent through the transfer: active again, its units counted once.
    expect(load.units).toBe(2);
    expect(h.engine.counts()).toMatchObject({ inactive: 0, waitingForRoom: 0 });
  });

  it('an agent going away keeps its conversations; its room still goes to the waiting one', () => {
    const h = chatDesk(3);
    chat(h, 'c1');
    h.ok(setActive('c1', false));
    chat(h, 'c2');
    chat(h, 'c3');
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    h.ok({ type: 'SetAgentState', agentIds: ['a1'], state: 'away', reason: 'break' });
    h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c2' });
    expect(h.engine.interaction('c1')!.activity).toBe('active');
    expect(h.engine.agentLoad('a1')!.units).toBe(2);
  });

  it('a snapshot keeps inactive and waiting conversations, their order and the counts', async () => {
    const h = chatDesk(3);
    h.at(1);
    chat(h, 'c1');
    h.at(2);
    chat(h, 'c2');
    h.ok(setActive('c1', false));
    h.ok(setActive('c2', false));
    chat(h, 'c3');
    chat(h, 'c4');
    h.rejects(setActive('c2', true), 'AGENT_AT_CAPACITY');
    h.rejects(setActive('c1', true), 'AGENT_AT_CAPACITY');
    const copy = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    expect(copy.agentLoad('a1')).toEqual(h.engine.agentLoad('a1'));
    expect(copy.counts()).toEqual(h.engine.counts());
    const a = h.engine.apply({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c3' }, 5);
    const b = copy.apply({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c3' }, 5);
    expect(b).toEqual(a);
    expect(copy.agentLoad('a1')).toEqual(h.engine.agentLoad('a1'));
  });

  it('validates inactiveMax', () => {
    const h = new Harness();
    h.rejects(
      { type: 'UpsertAgent', agent: { id: 'x', capacity: { total: 1, channels: { chat: { cost: 1, max: 1, inactiveMax: -1 } } } } },
      'INVALID_ARGUMENT',
    );
    h.rejects(
      { type: 'UpsertAgent', agent: { id: 'x', capacity: { total: 1, channels: { chat: { cost: 1, max: 1, inactiveMax: 101 } } } } },
      'INVALID_ARGUMENT',
    );
    h.rejects(
      { type: 'UpsertAgent', agent: { id: 'x', capacity: { total: 1, channels: { chat: { cost: 1, max: 1, inactiveMax: 1.5 } } } } },
      'INVALID_ARGUMENT',
    );
    h.ok({ type: 'UpsertAgent', agent: { id: 'x', capacity: { total: 1, channels: { chat: { cost: 1, max: 1, inactiveMax: 100 } } } } });
    expect(h.engine.configuration()!.agents![0].capacity!.channels.chat.inactiveMax).toBe(100);
  });
});
