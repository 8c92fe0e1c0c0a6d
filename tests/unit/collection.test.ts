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
