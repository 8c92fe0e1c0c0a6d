import { describe, expect, it } from 'vitest';
import { Engine, type AgentSpec } from '../../src/index.ts';
import { Harness } from '../helpers/harness.ts';

describe('GetConfiguration', () => {
  it('reads the configuration back as specs that recreate it, agents paged by a cursor', () => {
    const h = new Harness().skills('billing', 'fr');
    h.queue('care', { serviceObjective: { percent: 90, thresholdMs: 30_000 }, wrapUpMode: 'manual', wrapUpMs: 60_000 });
    h.queue('vip', { membersOnly: true, overflowQueue: 'care', maxWaitMs: 120_000, escalateAfterMs: null });
    for (let i = 0; i < 25; i++)
      h.agent(
        `a${i}`,
        {
          skills: { billing: 1 + (i % 10) },
          labels: { tenure: i, site: i % 2 ? 'A' : 'B' },
          capacity: { total: 3, channels: { chat: { cost: 1, max: 3, autoAccept: i % 3 === 0 }, email: { cost: 1, max: 1, interruptible: true } } },
          ...(i % 4 === 0 ? { queues: { vip: { priority: 1 }, care: { priority: 2, delayMs: 30_000 } } } : {}),
        },
        false,
      );
    h.ok({ type: 'RemoveAgent', agentId: 'a3' });
    const first = h.engine.configuration(undefined, 10)!;
    expect(first.skills).toEqual(['billing', 'fr']);
    expect(first.queues!.map((q) => q.id)).toEqual(['care', 'vip']);
    const agents: AgentSpec[] = [...first.agents];
    let cursor = first.nextCursor;
    let pages = 1;
    while (cursor !== null) {
      const page = h.engine.configuration(cursor, 10)!;
      expect(page.skills).toBeUndefined();
      agents.push(...page.agents);
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBe(3);
    expect(agents.map((a) => a.id).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `a${i}`)
        .filter((id) => id !== 'a3')
        .sort(),
    );
    // Applied to a new engine, the specs give the same configuration back.
    const copy = new Harness();
    for (const s of first.skills!) copy.skills(s);
    for (const q of first.queues!) copy.ok({ type: 'UpsertQueue', queue: q });
    copy.ok({ type: 'UpsertAgents', agents });
    const again = copy.engine.configuration(undefined, 1000)!;
    expect(again.queues).toEqual(first.queues);
    const byId = (xs: readonly AgentSpec[]) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(byId(again.agents)).toEqual(byId(agents));
    expect(agents.find((a) => a.id === 'a4')).toEqual({
      id: 'a4',
      skills: { billing: 5 },
      labels: { tenure: 4, site: 'B' },
      capacity: { total: 3, channels: { chat: { cost: 1, max: 3 }, email: { cost: 1, max: 1, interruptible: true } } },
      queues: { care: { priority: 2, delayMs: 30_000 }, vip: { priority: 1, delayMs: 0 } },
    });
  });

  it('refuses a cursor it did not give', () => {
    expect(new Engine().configuration('x1')).toBeNull();
    expect(new Engine().configuration('12')).toEqual({ agents: [], nextCursor: null });
  });
});
