import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Principal, Session } from '../../src/shell/ports.ts';
import { TenantShell } from '../../src/shell/tenant-shell.ts';

/**
 * The tenant's one timer: never later than the engine's next deadline, but not moved each time
 * the deadline moves later (an accepted offer's expiry gives way to the next offer's); a timer
 * that fires before anything is due re-arms without firing the engine.
 */
class Desk implements Session {
  readonly frames: Record<string, unknown>[] = [];
  constructor(
    readonly id: number,
    readonly principal: Principal,
  ) {}
  send(frame: Record<string, unknown>): void {
    this.frames.push(frame);
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('TenantShell timer', () => {
  it('keeps an earlier timer, re-arms when it fires early, and fires each deadline on time', () => {
    vi.useFakeTimers({ now: 0 });
    const t = new TenantShell('t', { ordering: 'fifo', agentSelection: 'longest-idle' }, Date.now);
    const desks = ['a1', 'a2'].map((id, i) => {
      const d = new Desk(i, { tenant: 't', role: 'agent', agentId: id, expiresAt: Number.MAX_SAFE_INTEGER });
      t.agents.set(id, [d]);
      return d;
    });
    const ok = (cmd: Parameters<TenantShell['apply']>[0]) => expect(t.apply(cmd).ok).toBe(true);
    ok({ type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 1000, noAnswerAway: false } });
    for (const id of ['a1', 'a2']) ok({ type: 'UpsertAgent', agent: { id } });
    ok({ type: 'SetAgentState', agentIds: ['a1', 'a2'], state: 'available' });
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const offerOf = (d: Desk) => d.frames.filter((f) => f.push === 'offer').at(-1)!;

    ok({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q' } }); // an offer expiring at 1000
    vi.advanceTimersByTime(10);
    ok({ type: 'SubmitInteraction', interaction: { id: 'y', channel: 'voice', queue: 'q' } }); // and one at 1010
    vi.advanceTimersByTime(10);
    const first = desks.find((d) => offerOf(d)?.interactionId === 'x')!;
    const second = desks.find((d) => d !== first)!;
    ok({ type: 'AcceptOffer', agentId: first.principal.agentId!, offerId: offerOf(first).offerId as string });
    // The next deadline moved from 1000 to 1010: the timer for 1000 stays, none was set again.
    expect(setTimer).toHaveBeenCalledTimes(1);

    vi.advanceTimersByTime(1000 - 20); // fires at 1000: nothing due yet
    expect(second.frames.some((f) => f.push === 'offerClosed')).toBe(false);
    expect(setTimer).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10); // 1010: the second offer times out, then is offered again
    expect(second.frames.find((f) => f.push === 'offerClosed')).toMatchObject({ interactionId: 'y', reason: 'OfferTimedOut' });
    t.stop();
  });

  it('moves the timer earlier at once when a nearer deadline appears', () => {
    vi.useFakeTimers({ now: 0 });
    const t = new TenantShell('t', { ordering: 'fifo', agentSelection: 'longest-idle' }, Date.now);
    const d = new Desk(0, { tenant: 't', role: 'agent', agentId: 'a', expiresAt: Number.MAX_SAFE_INTEGER });
    t.agents.set('a', [d]);
    const ok = (cmd: Parameters<TenantShell['apply']>[0]) => expect(t.apply(cmd).ok).toBe(true);
    ok({ type: 'UpsertQueue', queue: { id: 'slow', offerTimeoutMs: 10_000 } });
    ok({ type: 'UpsertQueue', queue: { id: 'fast', offerTimeoutMs: 100 } });
    ok({ type: 'UpsertAgent', agent: { id: 'a', capacity: { total: 2, channels: { chat: { cost: 1, max: 2 } } } } });
    ok({ type: 'SetAgentState', agentIds: ['a'], state: 'available' });
    ok({ type: 'SubmitInteraction', interaction: { id: 'late', channel: 'chat', queue: 'slow' } });
    ok({ type: 'SubmitInteraction', interaction: { id: 'soon', channel: 'chat', queue: 'fast' } });
    vi.advanceTimersByTime(100);
    expect(d.frames.find((f) => f.push === 'offerClosed')).toMatchObject({ interactionId: 'soon', reason: 'OfferTimedOut' });
    t.stop();
  });
});
