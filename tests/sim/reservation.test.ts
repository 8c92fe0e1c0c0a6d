import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const scenarioFile = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios', name), 'utf8')) as ScenarioInput;

/** The scenario with queue `id` reserving `reservedIdle` idle members (the others as they are). */
const reserving = (s: ScenarioInput, id: string, reservedIdle: number): ScenarioInput => ({
  ...s,
  queues: s.queues.map((q) => (q.id === id ? { ...q, reservedIdle } : q)),
});

describe('scenario reservedIdle', () => {
  const base: ScenarioInput = {
    name: 'fields',
    queues: [
      { id: 'vip', arrivalsPerHour: 10, ahtSeconds: 200, serviceObjective: { percent: 90, thresholdSeconds: 20 } },
      { id: 'general', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: { percent: 80, thresholdSeconds: 20 } },
    ],
    agents: [
      { name: 'vip', count: 3, queues: { vip: {}, general: {} } },
      { name: 'general', count: 5 },
    ],
  };

  it('defaults to 0 and takes an integer up to 10,000', () => {
    expect(parseScenario(base).queues.map((q) => q.reservedIdle)).toEqual([0, 0]);
    expect(parseScenario(reserving(base, 'vip', 10_000)).queues[0].reservedIdle).toBe(10_000);
    for (const n of [-1, 1.5, 10_001]) expect(() => parseScenario(reserving(base, 'vip', n)), String(n)).toThrow();
  });

  it('refuses a reserve for a queue no agent group lists: nobody could be held for it', () => {
    expect(() => parseScenario(reserving(base, 'general', 0))).not.toThrow();
    expect(() => parseScenario(reserving(base, 'general', 2))).not.toThrow(); // the vip group lists it
    const unlisted = { ...base, agents: [{ name: 'general', count: 5 }] };
    expect(() => parseScenario(reserving(unlisted, 'vip', 1))).toThrow("queue 'vip' reserves 1 idle members, but no agent group lists it in its queues");
  });
});

describe('trunk reservation in the simulation', () => {
  it('value-tiered-reserved is value-tiered with the retention group’s profile written out and a retention reserve', () => {
    const original = parseScenario(scenarioFile('value-tiered.json'));
    const variant = parseScenario(scenarioFile('value-tiered-reserved.json'));
    expect(variant.queues.find((q) => q.id === 'retention')?.reservedIdle).toBeGreaterThan(0);
    expect(variant.agents.find((g) => g.name === 'retention')?.queues).toEqual({
      retention: { priority: 1, delaySeconds: 0 },
      care: { priority: 1, delaySeconds: 0 },
    });
    expect(variant.queues.map((q) => ({ ...q, reservedIdle: 0 }))).toEqual(original.queues);
    expect(variant.agents.map(({ queues: _, ...g }) => g)).toEqual(original.agents);
    expect({ ...variant, name: '', description: '', queues: [], agents: [] }).toEqual({ ...original, name: '', description: '', queues: [], agents: [] });
  });

  it('reservedIdle 0 leaves value-tiered unchanged: its figures from before reservedIdle existed', () => {
    const valueTiered = scenarioFile('value-tiered.json');
    const r = simulate(parseScenario(valueTiered), { ordering: 'service-objective', seed: 1 });
    // Recorded with the simulator before reservedIdle was added.
    expect(r.queues.retention).toMatchObject({
      offered: 456,
      answered: 385,
      abandoned: 71,
      serviceLevel: 0.6842105263157895,
      asa: 24.105448087624314,
      valueWeightedWait: 212.77498198953901,
    });
    expect(r.queues.care).toMatchObject({ offered: 2722, answered: 2630, abandoned: 92, serviceLevel: 0.9313005143277002, asa: 7.3484123391143035 });
    expect(r.overall).toMatchObject({ meanWait: 11.316436358121745, occupancy: 0.9126488057121789, valueWeightedWait: 42.022901988700625 });
    expect(r.engineCommands).toBe(10363);
    expect(r.interactions).toBe(3403);
    expect(simulate(parseScenario(reserving(reserving(valueTiered, 'care', 0), 'retention', 0)), { ordering: 'service-objective', seed: 1 })).toEqual(r);
    // The variant writes out the retention group's profile (both queues at level 1): with no
    // reserve it is the same centre, run for run.
    const variant = parseScenario(reserving(scenarioFile('value-tiered-reserved.json'), 'retention', 0));
    expect({ ...simulate(variant, { ordering: 'service-objective', seed: 1 }), scenario: r.scenario }).toEqual(r);
  });

  it('holding retention agents idle raises retention’s service level on the same callers, at care’s expense', () => {
    const variant = { ...scenarioFile('value-tiered-reserved.json'), hours: 4 };
    const run = (reservedIdle: number) => simulate(parseScenario(reserving(variant, 'retention', reservedIdle)), { ordering: 'service-objective', seed: 1 });
    const none = run(0);
    const held = run(3);
    expect(held.queues.retention.offered).toBe(none.queues.retention.offered); // the same callers
    expect(held.queues.care.offered).toBe(none.queues.care.offered);
    expect(held.queues.retention.serviceLevel).toBeGreaterThan(none.queues.retention.serviceLevel);
    expect(held.queues.retention.abandoned).toBeLessThan(none.queues.retention.abandoned);
    expect(held.queues.retention.asa).toBeLessThan(none.queues.retention.asa);
    // The held agents are care capacity no longer used: care waits longer.
    expect(held.queues.care.serviceLevel).toBeLessThan(none.queues.care.serviceLevel);
    expect(held.queues.care.asa).toBeGreaterThan(none.queues.care.asa);
  });
});
