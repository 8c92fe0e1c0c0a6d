import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/index.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { Harness } from '../helpers/harness.ts';

// Every mutating command is safe to send again after it took effect (a client whose answer was
// lost, or answered OUTCOME_UNKNOWN, retries): the repeat answers ok with `duplicate`, emits
// nothing and changes nothing. What did not take effect is still refused as before.
function world(wrapUpMs = 0) {
  const h = new Harness()
    .skills('s')
    .queue('q', { offerTimeoutMs: 1000, noAnswerAway: false, wrapUpMs })
    .queue('r')
    .agent('a1', { skills: { s: 5 } });
  h.submit('i1');
  return h;
}

function repeats(h: Harness, cmd: Command): void {
  const before = fingerprint(h.engine, h.now);
  expect(h.engine.apply(cmd, h.now)).toEqual({ ok: true, events: [], duplicate: true });
  expect(fingerprint(h.engine, h.now)).toBe(before);
}

describe('retried commands', () => {
  it('accept, then accept again', () => {
    const h = world();
    const o = h.offerOf('i1');
    h.ok({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId });
    repeats(h, { type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId });
    // Not a retry: rejecting what was accepted, or accepting after a time-out.
    h.rejects({ type: 'RejectOffer', agentId: o.agentId, offerId: o.offerId }, 'OFFER_CLOSED');
  });

  it('reject, then reject again; accept after a time-out is still refused', () => {
    const h = world();
    h.submit('i2');
    const o = h.offerOf('i1');
    h.ok({ type: 'RejectOffer', agentId: o.agentId, offerId: o.offerId });
    repeats(h, { type: 'RejectOffer', agentId: o.agentId, offerId: o.offerId });
    h.rejects({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId }, 'OFFER_CLOSED');
    const next = h.offerOf('i2');
    h.tick(2000);
    h.rejects({ type: 'AcceptOffer', agentId: next.agentId, offerId: next.offerId }, 'OFFER_CLOSED');
  });

  it('complete, then complete again: ended at once, or in wrap-up', () => {
    for (const wrapUpMs of [0, 5000]) {
      const h = world(wrapUpMs);
      h.acceptOffer('i1');
      h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' });
      repeats(h, { type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' });
      h.tick(10_000);
      repeats(h, { type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' });
    }
  });

  it('another agent completing it is not a retry', () => {
    const h = world(5000).agent('a2', { skills: { s: 5 } });
    h.acceptOffer('i1');
    h.ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'i1' });
    h.rejects({ type: 'CompleteInteraction', agentId: 'a2', interactionId: 'i1' }, 'NOT_ASSIGNED_TO_AGENT');
  });

  it('cancel, then cancel again with the same reason; the other reason is refused', () => {
    const h = world();
    h.ok({ type: 'CancelInteraction', interactionId: 'i1', reason: 'abandoned' });
    repeats(h, { type: 'CancelInteraction', interactionId: 'i1', reason: 'abandoned' });
    h.rejects({ type: 'CancelInteraction', interactionId: 'i1', reason: 'cancelled' }, 'INTERACTION_FINISHED');
  });

  it('a transfer with a transfer id, sent again, changes nothing; a new id transfers again', () => {
    const h = world();
    h.acceptOffer('i1');
    const ev = h.ok({ type: 'TransferInteraction', interactionId: 'i1', queue: 'r', transferId: 't1' });
    expect(ev.map((e) => e.type)).toContain('InteractionTransferred');
    repeats(h, { type: 'TransferInteraction', interactionId: 'i1', queue: 'r', transferId: 't1' });
    const again = h.ok({ type: 'TransferInteraction', interactionId: 'i1', queue: 'q', transferId: 't2' });
    expect(again.map((e) => e.type)).toContain('InteractionTransferred');
    // Without an id a transfer is applied each time it is sent.
    expect(h.ok({ type: 'TransferInteraction', interactionId: 'i1', queue: 'q' }).map((e) => e.type)).toContain('InteractionTransferred');
  });

  it('the last transfer id survives a snapshot and restore', async () => {
    const { Engine } = await import('../../src/index.ts');
    const h = world();
    h.ok({ type: 'TransferInteraction', interactionId: 'i1', queue: 'r', transferId: 't1' });
    const restored = Engine.restore(h.engine.snapshot());
    expect(restored.apply({ type: 'TransferInteraction', interactionId: 'i1', queue: 'r', transferId: 't1' }, h.now)).toEqual({
      ok: true,
      events: [],
      duplicate: true,
    });
  });

  it('a snapshot written before transfers carried an id restores with none', async () => {
    const { Engine } = await import('../../src/index.ts');
    const h = world();
    const snap = h.engine.snapshot();
    const old = { ...snap, interactions: snap.interactions.map((x) => x.slice(0, 20) as typeof x) };
    const restored = Engine.restore(old);
    expect(restored.apply({ type: 'TransferInteraction', interactionId: 'i1', queue: 'r', transferId: 't1' }, h.now).ok).toBe(true);
  });
});
