import { describe, expect, it } from 'vitest';
import { Engine, type Selector } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

/** One agent with these labels; does an interaction with this selector get offered to it? */
function offered(labels: Record<string, string | number>, selector: Selector): boolean {
  const h = new Harness().queue('q').agent('a', { labels });
  h.submit('i', { selectors: [selector] });
  return h.status('i') === 'offered';
}

describe('label selectors', () => {
  const agent = { lang: 'en', tenure: 12, site: 'A' };
  const cases: [Selector, boolean][] = [
    [{ key: 'lang', op: 'eq', value: 'en' }, true],
    [{ key: 'lang', op: 'eq', value: 'fr' }, false],
    [{ key: 'tenure', op: 'eq', value: '12' }, false], // a number never equals a string
    [{ key: 'lang', op: 'ne', value: 'fr' }, true],
    [{ key: 'lang', op: 'ne', value: 'en' }, false],
    [{ key: 'team', op: 'ne', value: 'x' }, true], // no such label: not equal
    [{ key: 'site', op: 'in', values: ['A', 'B'] }, true],
    [{ key: 'site', op: 'in', values: ['B', 'C'] }, false],
    [{ key: 'team', op: 'in', values: ['A'] }, false],
    [{ key: 'site', op: 'notIn', values: ['B'] }, true],
    [{ key: 'site', op: 'notIn', values: ['A'] }, false],
    [{ key: 'team', op: 'notIn', values: ['A'] }, true],
    [{ key: 'tenure', op: 'gt', value: 11 }, true],
    [{ key: 'tenure', op: 'gt', value: 12 }, false],
    [{ key: 'tenure', op: 'gte', value: 12 }, true],
    [{ key: 'tenure', op: 'lt', value: 12 }, false],
    [{ key: 'tenure', op: 'lte', value: 12 }, true],
    [{ key: 'lang', op: 'gte', value: 0 }, false], // order operators compare numbers only
    [{ key: 'team', op: 'lt', value: 100 }, false],
    [{ key: 'site', op: 'exists' }, true],
    [{ key: 'team', op: 'exists' }, false],
    [{ key: 'team', op: 'notExists' }, true],
    [{ key: 'site', op: 'notExists' }, false],
  ];
  for (const [sel, expected] of cases)
    it(`${JSON.stringify(sel)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(agent)}`, () => {
      expect(offered(agent, sel)).toBe(expected);
    });

  it('labels and selectors must all hold; the same requirement written in any order shares one signature', () => {
    const h = new Harness().queue('q');
    h.agent('senior-en', { labels: { lang: 'en', tenure: 24 } }, false);
    h.agent('junior-en', { labels: { lang: 'en', tenure: 2 } }, false);
    h.submit('i1', { labels: { lang: 'en' }, selectors: [{ key: 'tenure', op: 'gte', value: 12 }] });
    h.submit('i2', {
      selectors: [
        { key: 'tenure', op: 'gte', value: 12 },
        { key: 'lang', op: 'eq', value: 'en' },
      ],
    });
    expect(h.engine.counts().signatures).toBe(1);
    h.ok({ type: 'SetAgentState', agentIds: ['junior-en'], state: 'available' });
    expect(h.status('i1')).toBe('queued');
    h.ok({ type: 'SetAgentState', agentIds: ['senior-en'], state: 'available' });
    expect(h.offerOf('i1').agentId).toBe('senior-en');
    const x = h.engine.explain('i2')!;
    expect(x.required).toEqual({ skills: {}, labels: { lang: 'en' }, selectors: [{ key: 'tenure', op: 'gte', value: 12 }] });
    expect(x.agents.find((r) => r.agentId === 'junior-en')!.reasons).toEqual([
      { reason: 'selector', selector: { key: 'tenure', op: 'gte', value: 12 }, has: 2 },
    ]);
  });

  it('labels alone and the same eq selectors find the same signature (strings and numbers, any order)', () => {
    const h = new Harness().skills('s').queue('q');
    h.submit('a', { skills: { s: 2 }, labels: { lang: 'en', tenure: 12 } });
    h.submit('b', {
      skills: { s: 2 },
      selectors: [
        { key: 'tenure', op: 'eq', value: 12 },
        { key: 'lang', op: 'eq', value: 'en' },
      ],
    });
    h.submit('c', { skills: { s: 2 }, labels: { tenure: 12 }, selectors: [{ key: 'lang', op: 'eq', value: 'en' }] });
    expect(h.engine.counts().signatures).toBe(1);
    h.submit('d', { skills: { s: 2 }, labels: { tenure: '12', lang: 'en' } }); // a string is another value
    expect(h.engine.counts().signatures).toBe(2);
  });

  it('refuses malformed selectors with a typed code and changes nothing', () => {
    const h = new Harness().queue('q').agent('a');
    const bad: [unknown, string][] = [
      [{ key: 'x', op: 'like', value: 'a' }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'eq' }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'gt', value: 'ten' }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'in', value: 'a' }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'in', values: [] }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'exists', value: 1 }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'eq', value: Number.NaN }, 'INVALID_ARGUMENT'],
      [{ key: 'x', op: 'in', values: Array.from({ length: 33 }, (_, i) => i) }, 'LIMIT_EXCEEDED'],
    ];
    for (const [sel, code] of bad) {
      const r = h.rejects({ type: 'SubmitInteraction', interaction: { id: 'i', channel: 'voice', queue: 'q', selectors: [sel as Selector] } }, code);
      expect(r.events).toEqual([]);
    }
    const many = Array.from({ length: 33 }, (_, i): Selector => ({ key: `k${i}`, op: 'exists' }));
    h.rejects({ type: 'SubmitInteraction', interaction: { id: 'i', channel: 'voice', queue: 'q', selectors: many } }, 'LIMIT_EXCEEDED');
    h.rejects({ type: 'UpsertAgent', agent: { id: 'b', labels: { x: Number.POSITIVE_INFINITY } } }, 'INVALID_ARGUMENT');
    expect(h.engine.interaction('i')).toBeNull();
  });

  it('survive a snapshot: numeric labels and selectors route the same after restore', () => {
    const h = new Harness().queue('q');
    h.agent('a', { labels: { tenure: 3 } });
    h.submit('busy');
    h.submit('i', { selectors: [{ key: 'tenure', op: 'in', values: [3, 'three'] }] });
    const restored = Engine.restore(structuredClone(h.engine.snapshot()));
    const r = restored.apply({ type: 'AcceptOffer', agentId: 'a', offerId: h.offerOf('busy').offerId }, 1);
    expect(r.ok).toBe(true);
    const done = restored.apply({ type: 'CompleteInteraction', agentId: 'a', interactionId: 'busy' }, 2);
    expect(done.events.find((e) => e.type === 'InteractionOffered')).toMatchObject({ interactionId: 'i', agentId: 'a' });
  });
});
