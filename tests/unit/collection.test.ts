import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

describe('collecting unused signatures and profiles', () => {
  it('a tenant churning distinct requirements and agents keeps its tables bounded', () => {
    const h = new Harness({ limits: { maxSignatures: 500, maxProfiles: 200 } }).queue('q');
    h.agent('worker', { labels: { tenure: 0 } });
    for (let i = 0; i < 5_000; i++) {
      // A requirement nobody else asks (a selector on a fresh value), served at once.
      h.at(i).submit(`i${i}`, { selectors: [{ key: 'tenure', op: 'lt', value: 1_000_000 + i }] });
      h.acceptOffer(`i${i}`);
      h.ok({ type: 'CompleteInteraction', agentId: 'worker', interactionId: `i${i}` });
      // An agent with a profile of its own comes and goes.
      h.ok({ type: 'UpsertAgent', agent: { id: `temp${i}`, labels: { tenure: i } } });
      h.ok({ type: 'RemoveAgent', agentId: `temp${i}` });
    }
    const c = h.engine.counts();
    expect(c.signatures).toBeLessThanOrEqual(100);
    expect(c.profiles).toBeLessThanOrEqual(100);
  });

  it('never collects what is in use, and a restored engine collects the same ones in the same order', () => {
    const opts = { ordering: 'fifo' as const, limits: { minIdleKept: 0 } };
    const h = new Harness(opts).skills('s').queue('q');
    h.agent('busy', { skills: { s: 5 } });
    h.submit('held', { skills: { s: 1 } });
    h.acceptOffer('held');
    for (let i = 0; i < 50; i++) h.at(i + 1).submit(`w${i}`, { skills: { s: 1 + (i % 5) }, selectors: [{ key: 'n', op: 'ne', value: i % 7 }] });
    for (let i = 0; i < 20; i++) h.ok({ type: 'CancelInteraction', interactionId: `w${i}`, reason: 'cancelled' });
    const restored = Engine.restore(structuredClone(h.engine.snapshot()));
    const run = (e: Engine) => {
      const out: unknown[] = [];
      for (let i = 0; i < 40; i++) {
        const r = e.apply(
          { type: 'SubmitInteraction', interaction: { id: `x${i}`, channel: 'voice', queue: 'q', selectors: [{ key: 'k', op: 'eq', value: i }] } },
          100 + i,
        );
        out.push(r, e.counts());
      }
      out.push(e.apply({ type: 'CompleteInteraction', agentId: 'busy', interactionId: 'held' }, 200), e.counts());
      return out;
    };
    expect(JSON.stringify(run(restored))).toBe(JSON.stringify(run(h.engine)));
    // The held and waiting interactions kept their signatures: the agent takes w20 next.
    expect(h.engine.interaction('w20')!.status).toBe('offered');
  });
});

describe('collection never takes what work still holds', () => {
  it('an assignment keeps its agent’s old profile (after a reskill) until it ends, through a snapshot', () => {
    const h = new Harness({ limits: { minIdleKept: 0 } }).skills('s').queue('q');
    h.agent('a', { capacity: { total: 2, channels: { voice: { cost: 1, max: 1 } } } });
    h.submit('i1');
    h.acceptOffer('i1');
    h.ok({ type: 'UpsertAgent', agent: { id: 'a', skills: { s: 1 }, capacity: { total: 2, channels: { voice: { cost: 1, max: 1 } } } } });
    // A new profile would collect the old one if nothing held it.
    h.ok({ type: 'UpsertAgent', agent: { id: 'b', capacity: { total: 5, channels: { voice: { cost: 2, max: 3 } } } } });
    expect(h.engine.counts().profiles).toBe(3);
    const restored = Engine.restore(structuredClone(h.engine.snapshot()));
    for (const e of [h.engine, restored]) {
      expect(e.apply({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'i1' }, 100).ok).toBe(true);
      expect(e.agentLoad('a')).toMatchObject({ units: 0 });
    }
  });

  it('at the table limit an idle signature or profile makes room', () => {
    const h = new Harness({ limits: { maxSignatures: 3, maxProfiles: 2 } }).queue('q');
    for (let i = 0; i < 3; i++) {
      h.submit(`i${i}`, { selectors: [{ key: 'k', op: 'eq', value: i }] });
      h.ok({ type: 'CancelInteraction', interactionId: `i${i}`, reason: 'cancelled' });
    }
    h.submit('new', { selectors: [{ key: 'k', op: 'eq', value: 99 }] });
    h.ok({ type: 'UpsertAgent', agent: { id: 'x', labels: { n: 1 } } });
    h.ok({ type: 'RemoveAgent', agentId: 'x' });
    h.ok({
      type: 'UpsertAgents',
      agents: [
        { id: 'y', labels: { n: 2 } },
        { id: 'z', labels: { n: 3 } },
      ],
    });
    expect(h.engine.counts()).toMatchObject({ signatures: 3, profiles: 2 });
  });
});
