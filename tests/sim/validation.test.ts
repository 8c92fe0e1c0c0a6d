import { describe, expect, it } from 'vitest';
import { ORDERING_POLICIES, type OrderingPolicy } from '../../src/index.ts';
import { cobhamWaits, erlangA, erlangC } from '../../src/sim/erlang.ts';
import { estimate } from '../../src/sim/random.ts';
import { parseScenario, singleQueue, type Scenario } from '../../src/sim/scenario.ts';
import { simulate, type SimResult } from '../../src/sim/simulator.ts';

/**
 * The simulator, driving the real engine, against closed forms. Each figure is estimated over
 * independent replications (seeds 1..R); the test asserts the exact value lies within 1.5 × the
 * replications' 95% confidence half-width (about the 99.5% level for R = 8). Seeds are fixed, so
 * the outcome is reproducible.
 */
const R = 8;
const HOURS = 160;
const λ = 2 / 60; // per second
const AHT = 300;
const N = 12;
const T = 20;

function replicate(scenario: Scenario, ordering: OrderingPolicy): SimResult[] {
  return Array.from({ length: R }, (_, i) => simulate(scenario, { ordering, seed: i + 1 }));
}

function expectWithin(values: number[], exact: number, what: string): void {
  const e = estimate(values);
  const slack = 1.5 * e.ci95;
  expect(Math.abs(e.mean - exact), `${what}: ${e.mean.toFixed(4)} ± ${e.ci95.toFixed(4)} vs exact ${exact.toFixed(4)}`).toBeLessThanOrEqual(slack);
}

describe('simulator vs Erlang C (no abandonment, FIFO)', () => {
  const runs = replicate(
    singleQueue({ agents: N, arrivalsPerHour: λ * 3600, ahtSeconds: AHT, thresholdSeconds: T, patienceSeconds: null, hours: HOURS }),
    'fifo',
  );
  const exact = erlangC(λ, AHT, N, T);
  it('P(wait), ASA, service level and occupancy', () => {
    expectWithin(
      runs.map((r) => r.overall.pWait),
      exact.pWait,
      'P(wait)',
    );
    expectWithin(
      runs.map((r) => r.overall.asa),
      exact.asa,
      'ASA',
    );
    expectWithin(
      runs.map((r) => r.overall.serviceLevel),
      exact.serviceLevel,
      'SL',
    );
    expectWithin(
      runs.map((r) => r.overall.occupancy),
      (λ * AHT) / N,
      'occupancy',
    );
    expect(runs.every((r) => r.overall.offered > 15_000)).toBe(true);
  });
});

describe('simulator vs Erlang A (exponential patience 180 s, FIFO)', () => {
  const runs = replicate(
    singleQueue({ agents: N, arrivalsPerHour: λ * 3600, ahtSeconds: AHT, thresholdSeconds: T, patienceSeconds: 180, hours: HOURS }),
    'fifo',
  );
  const exact = erlangA(λ, AHT, N, 180, T);
  it('P(wait), P(abandon), mean wait and service level', () => {
    expectWithin(
      runs.map((r) => r.overall.pWait),
      exact.pWait,
      'P(wait)',
    );
    expectWithin(
      runs.map((r) => r.overall.pAbandon),
      exact.pAbandon,
      'P(abandon)',
    );
    expectWithin(
      runs.map((r) => r.overall.meanWait),
      exact.asa,
      'mean wait',
    );
    expectWithin(
      runs.map((r) => r.overall.serviceLevel),
      exact.serviceLevel,
      'SL',
    );
  });
});

describe('conservation law', () => {
  // Escalation off: the starvation bound would otherwise (correctly) lift long-waiting regular
  // calls above gold ones and break strict priority.
  const mix = (ordering: OrderingPolicy) =>
    replicate(
      parseScenario({
        name: 'priority mix',
        hours: HOURS,
        warmupHours: 4,
        queues: [
          {
            id: 'main',
            arrivalsPerHour: λ * 3600,
            ahtSeconds: AHT,
            serviceObjective: { percent: 80, thresholdSeconds: T },
            escalateAfterSeconds: null,
            priorities: [
              { priority: 10, share: 0.2 },
              { priority: 0, share: 0.8 },
            ],
            tiers: [
              { tier: 0, share: 0.7 },
              { tier: 3, share: 0.3 },
            ],
          },
        ],
        agents: [{ name: 'a', count: N }],
      }),
      ordering,
    );
  const exactAsa = erlangC(λ, AHT, N, T).asa;

  it('strict priority (priority-age) gives Cobham waits per class', () => {
    const runs = mix('priority-age');
    const [gold, regular] = cobhamWaits([0.2 * λ, 0.8 * λ], AHT, N);
    expectWithin(
      runs.map((r) => r.overall.asaByPriority['10']),
      gold,
      'W gold',
    );
    expectWithin(
      runs.map((r) => r.overall.asaByPriority['0']),
      regular,
      'W regular',
    );
    expectWithin(
      runs.map((r) => r.overall.asa),
      exactAsa,
      'blended',
    );
  });

  for (const ordering of ORDERING_POLICIES)
    it(`${ordering}: work-conserving, so the mean wait equals the Erlang C ASA`, () => {
      expectWithin(
        mix(ordering).map((r) => r.overall.asa),
        exactAsa,
        `${ordering} mean wait`,
      );
    });
});
