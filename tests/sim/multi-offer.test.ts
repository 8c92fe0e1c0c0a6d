import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const scenarioFile = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios', name), 'utf8')) as ScenarioInput;

/** Every queue of the scenario with these fields. */
const withQueues = (s: ScenarioInput, fields: { offerFanout?: number; answerSeconds?: number }): ScenarioInput => ({
  ...s,
  queues: s.queues.map((q) => ({ ...q, ...fields })),
});

describe('scenario offerFanout and answerSeconds', () => {
  const base: ScenarioInput = {
    name: 'fields',
    queues: [{ id: 'q', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: { percent: 80, thresholdSeconds: 20 } }],
    agents: [{ name: 'a', count: 2 }],
  };

  it('default to one offer at a time, answered at once', () => {
    expect(parseScenario(base).queues[0]).toMatchObject({ offerFanout: 1, answerSeconds: 0 });
    expect(parseScenario(withQueues(base, { offerFanout: 50, answerSeconds: 6.5 })).queues[0]).toMatchObject({ offerFanout: 50, answerSeconds: 6.5 });
  });

  it('refuse a fanout outside 1–50 or not an integer, and a negative answer time', () => {
    for (const offerFanout of [0, 51, 2.5]) expect(() => parseScenario(withQueues(base, { offerFanout }))).toThrow();
    expect(() => parseScenario(withQueues(base, { answerSeconds: -1 }))).toThrow();
    expect(() => parseScenario(withQueues(base, { answerSeconds: 601 }))).toThrow();
  });
});

describe('multi-offer in the simulation', () => {
  it('a fanout with answer times runs to completion: every measured interaction answered or abandoned, late answers to rescinded offers dropped', () => {
    // Voice rings three agents, chat two; blended agents hold several chat offers at once.
    const scenario = parseScenario({
      name: 'blended ring-all',
      hours: 12,
      queues: [
        {
          id: 'voice',
          arrivalsPerHour: 150,
          ahtSeconds: 300,
          patienceSeconds: 180,
          serviceObjective: { percent: 80, thresholdSeconds: 20 },
          offerFanout: 3,
          answerSeconds: 8,
        },
        {
          id: 'chat',
          channel: 'chat',
          arrivalsPerHour: 120,
          ahtSeconds: 600,
          patienceSeconds: 300,
          serviceObjective: { percent: 80, thresholdSeconds: 60 },
          offerFanout: 2,
          answerSeconds: 5,
        },
      ],
      agents: [
        { name: 'voice', count: 12 },
        { name: 'blended', count: 8, capacity: { total: 3, channels: { voice: { cost: 3, max: 1 }, chat: { cost: 1, max: 3 } } } },
      ],
    });
    const r = simulate(scenario, { ordering: 'service-objective', seed: 4 });
    for (const id of ['voice', 'chat']) {
      const q = r.queues[id];
      expect(q.offered, id).toBeGreaterThan(1000);
      expect(q.answered + q.abandoned, id).toBe(q.offered);
      expect(q.answered, id).toBeGreaterThan(0.8 * q.offered);
      expect(q.offersRescinded, id).toBeGreaterThan(0);
      expect(q.ringOccupancy, id).toBeGreaterThan(q.rescindedOccupancy);
      expect(q.rescindedOccupancy, id).toBeGreaterThan(0);
    }
    expect(r.overall.offersRescinded).toBe(r.queues.voice.offersRescinded + r.queues.chat.offersRescinded);
    // Answer times come from their own seeded stream: the same seed, the same run.
    expect(simulate(scenario, { ordering: 'service-objective', seed: 4 })).toEqual(r);
  });

  it('ringing more agents at once answers sooner: a lower mean answer wait than one at a time, on the same seed', () => {
    const ringAll = scenarioFile('ring-all.json');
    const run = (offerFanout: number) => simulate(parseScenario({ ...withQueues(ringAll, { offerFanout }), hours: 24 }), { ordering: 'fifo', seed: 1 });
    const one = run(1);
    expect(one.overall.offersRescinded).toBe(0);
    expect(one.overall.rescindedOccupancy).toBe(0);
    for (const fanout of [2, 3]) {
      const r = run(fanout);
      expect(r.overall.offered, `fanout ${fanout}`).toBe(one.overall.offered); // the same callers
      expect(r.overall.asa, `fanout ${fanout}`).toBeLessThan(one.overall.asa);
      expect(r.overall.serviceLevel, `fanout ${fanout}`).toBeGreaterThan(one.overall.serviceLevel);
      expect(r.overall.offersRescinded, `fanout ${fanout}`).toBeGreaterThan(0);
    }
  });

  it('with agents to spare, the answer wait is the first of `fanout` answer times: answerSeconds ÷ fanout on average', () => {
    const spare = (offerFanout: number) =>
      simulate(
        parseScenario({
          name: 'spare agents',
          hours: 50,
          warmupHours: 0,
          queues: [{ id: 'q', arrivalsPerHour: 200, ahtSeconds: 60, serviceObjective: { percent: 80, thresholdSeconds: 20 }, offerFanout, answerSeconds: 6 }],
          agents: [{ name: 'a', count: 40 }],
        }),
        { ordering: 'fifo', seed: 3 },
      ).overall;
    for (const fanout of [1, 2, 3]) {
      const r = spare(fanout);
      expect(r.answered).toBe(r.offered);
      expect(r.asa, `fanout ${fanout}`).toBeGreaterThan((6 / fanout) * 0.95);
      expect(r.asa, `fanout ${fanout}`).toBeLessThan((6 / fanout) * 1.05);
      // Each call rings `fanout` agents; all but the one that answers are rescinded.
      expect(r.offersRescinded / r.answered, `fanout ${fanout}`).toBeCloseTo(fanout - 1, 1);
    }
  });

  it('answerSeconds 0 leaves an existing scenario unchanged: its figures from before answer times existed', () => {
    const multiSkill = scenarioFile('multi-skill.json');
    const r = simulate(parseScenario(multiSkill), { ordering: 'service-objective', seed: 1 });
    // Recorded with the simulator before offerFanout and answerSeconds were added.
    expect(r.overall).toMatchObject({
      offered: 4291,
      answered: 4100,
      abandoned: 191,
      asa: 10.786323876907208,
      meanWait: 12.396277393032111,
      occupancy: 0.893323658100715,
      valueWeightedWait: 17.287348388536664,
      offersRescinded: 0,
      ringOccupancy: 0,
    });
    expect(r.engineCommands).toBe(14091);
    expect(r.interactions).toBe(4589);
    expect(simulate(parseScenario(withQueues(multiSkill, { answerSeconds: 0, offerFanout: 1 })), { ordering: 'service-objective', seed: 1 })).toEqual(r);
  });
});
