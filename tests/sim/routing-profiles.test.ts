import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const objective = { percent: 80, thresholdSeconds: 20 };

/** Two queues of the same load, one agent overloaded (ρ = 3), whose profile is `queues`. */
function twoQueues(queues?: Record<string, { priority?: number; delaySeconds?: number }>) {
  return simulate(
    parseScenario({
      name: 'two queues, one agent',
      hours: 10,
      queues: [
        { id: 'a', arrivalsPerHour: 90, ahtSeconds: 60, patienceSeconds: 120, serviceObjective: objective },
        { id: 'b', arrivalsPerHour: 90, ahtSeconds: 60, patienceSeconds: 120, serviceObjective: objective },
      ],
      agents: [{ name: 'agent', count: 1, ...(queues ? { queues } : {}) }],
    }),
    { ordering: 'fifo', seed: 1 },
  );
}

describe('scenario routing fields', () => {
  it('parses labels, routing profiles, members-only queues and selectors, with their defaults', () => {
    const s = parseScenario({
      name: 'routing fields',
      queues: [
        {
          id: 'sales',
          arrivalsPerHour: 60,
          ahtSeconds: 200,
          serviceObjective: objective,
          selectors: [
            { key: 'language', op: 'in', values: ['en', 'fr'] },
            { key: 'tenureMonths', op: 'gte', value: 6 },
            { key: 'trainee', op: 'notExists' },
            { key: 'site', op: 'ne', value: 'lisbon' },
          ],
        },
        { id: 'vip', arrivalsPerHour: 10, ahtSeconds: 200, serviceObjective: objective, membersOnly: true },
      ],
      agents: [
        {
          name: 'specialists',
          count: 3,
          labels: { language: 'en', tenureMonths: 14 },
          queues: { sales: {}, vip: { priority: 2, delaySeconds: 30 } },
        },
        { name: 'everyone', count: 2 },
      ],
    });
    expect(s.queues[0].selectors).toHaveLength(4);
    expect(s.queues[0].membersOnly).toBe(false);
    expect(s.queues[1].membersOnly).toBe(true);
    expect(s.queues[1].selectors).toEqual([]);
    expect(s.agents[0].labels).toEqual({ language: 'en', tenureMonths: 14 });
    expect(s.agents[0].queues).toEqual({ sales: { priority: 1, delaySeconds: 0 }, vip: { priority: 2, delaySeconds: 30 } });
    expect(s.agents[1].labels).toEqual({});
    expect(s.agents[1].queues).toBeUndefined();
  });

  it('refuses a group that lists an unknown queue, and selectors with the wrong operands', () => {
    const base: ScenarioInput = {
      name: 'bad',
      queues: [{ id: 'sales', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: objective }],
      agents: [{ name: 'specialists', count: 1, queues: { sales: {}, retention: { priority: 2 } } }],
    };
    expect(() => parseScenario(base)).toThrow("agent group 'specialists' lists queue 'retention', which the scenario does not define");
    const withSelector = (selector: unknown) => ({
      ...base,
      queues: [{ id: 'sales', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: objective, selectors: [selector] }],
      agents: [{ name: 'a', count: 1 }],
    });
    expect(() => parseScenario(withSelector({ key: 'tenure', op: 'gt', value: 'high' }))).toThrow('gt, gte, lt and lte a number value');
    expect(() => parseScenario(withSelector({ key: 'language', op: 'in', values: [] }))).toThrow();
    expect(() => parseScenario(withSelector({ key: 'language', op: 'in', value: 'en' }))).toThrow('in and notIn a values list');
    expect(() => parseScenario(withSelector({ key: 'trainee', op: 'exists', value: true }))).toThrow();
    expect(() => parseScenario(withSelector({ key: 'language', op: 'eq', value: 'en' }))).not.toThrow();
    expect(() => parseScenario({ ...base, agents: [{ name: 'a', count: 1, labels: { trainee: true } }] })).toThrow();
    expect(() => parseScenario({ ...base, agents: [{ name: 'a', count: 1, queues: { sales: { priority: 0 } } }] })).toThrow();
  });
});

describe('routing fields in the simulation', () => {
  it('nobody answers a members-only queue no group lists, nor a queue whose selectors no group meets', () => {
    const r = simulate(
      parseScenario({
        name: 'eligibility',
        hours: 4,
        queues: [
          { id: 'general', arrivalsPerHour: 60, ahtSeconds: 120, patienceSeconds: 120, serviceObjective: objective },
          { id: 'vip', arrivalsPerHour: 30, ahtSeconds: 120, patienceSeconds: 120, serviceObjective: objective, membersOnly: true },
          {
            id: 'french',
            arrivalsPerHour: 30,
            ahtSeconds: 120,
            patienceSeconds: 120,
            serviceObjective: objective,
            selectors: [{ key: 'language', op: 'in', values: ['fr', 'be'] }],
          },
          {
            id: 'french-senior',
            arrivalsPerHour: 30,
            ahtSeconds: 120,
            patienceSeconds: 120,
            serviceObjective: objective,
            selectors: [
              { key: 'language', op: 'eq', value: 'fr' },
              { key: 'tenureMonths', op: 'gte', value: 12 },
            ],
          },
        ],
        agents: [
          { name: 'english', count: 4, labels: { language: 'en', tenureMonths: 24 } },
          { name: 'french', count: 2, labels: { language: 'fr', tenureMonths: 3 } },
        ],
      }),
      { ordering: 'fifo', seed: 1 },
    );
    for (const id of ['vip', 'french-senior']) {
      expect(r.queues[id].offered, id).toBeGreaterThan(50);
      expect(r.queues[id].answered, id).toBe(0);
      expect(r.queues[id].abandoned, id).toBe(r.queues[id].offered);
    }
    expect(r.queues.general.answered).toBeGreaterThan(0.9 * r.queues.general.offered);
    expect(r.queues.french.answered).toBeGreaterThan(0.5 * r.queues.french.offered);
  });

  it('an agent serves only the queues it lists, its best level first, worse work once it has waited its delay', () => {
    const flat = twoQueues();
    expect(flat.queues.a.answered).toBeLessThan(1.3 * flat.queues.b.answered);
    expect(flat.queues.b.answered).toBeLessThan(1.3 * flat.queues.a.answered);

    expect(twoQueues({ a: {} }).queues.b.answered).toBe(0);

    const levels = twoQueues({ a: { priority: 1 }, b: { priority: 2 } });
    expect(levels.queues.b.answered).toBeGreaterThan(0);
    expect(levels.queues.a.answered).toBeGreaterThan(2 * levels.queues.b.answered);

    // Waiting 10 s puts b's work level with a's: the agent takes the older call, as in `flat`.
    const shortDelay = twoQueues({ a: { priority: 1 }, b: { priority: 2, delaySeconds: 10 } });
    expect(shortDelay.queues.a.answered).toBeLessThan(1.3 * shortDelay.queues.b.answered);
    // A delay beyond every caller's patience (exponential, mean 120 s) never comes.
    const longDelay = twoQueues({ a: { priority: 1 }, b: { priority: 2, delaySeconds: 3600 } });
    expect(longDelay.queues.a.answered).toBeGreaterThan(2 * longDelay.queues.b.answered);
  });

  it('the routing-profiles scenarios describe the same centre, with and without profiles', () => {
    const load = (name: string) => parseScenario(JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios', name), 'utf8')));
    const withProfiles = load('routing-profiles.json');
    const flat = load('routing-profiles-flat.json');
    expect(withProfiles.agents.every((g) => g.queues !== undefined)).toBe(true);
    expect(flat.agents.every((g) => g.queues === undefined)).toBe(true);
    expect(flat.queues).toEqual(withProfiles.queues);
    expect(flat.agents).toEqual(withProfiles.agents.map(({ queues: _, ...g }) => g));
    expect({ ...flat, name: '', description: '', agents: [] }).toEqual({ ...withProfiles, name: '', description: '', agents: [] });
  });
});
