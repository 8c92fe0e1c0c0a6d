import { describe, expect, it } from 'vitest';
import { exponential, lognormal, prng } from '../../src/sim/random.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

describe('simulator inputs', () => {
  it('time-varying arrivals follow the hourly profile (thinning)', () => {
    const profile = [0.5, 1, 2, 1];
    const r = simulate(
      parseScenario({
        name: 'profile',
        hours: 400,
        warmupHours: 0,
        arrivalProfile: profile,
        queues: [{ id: 'q', arrivalsPerHour: 100, ahtSeconds: 60, serviceObjective: { percent: 80, thresholdSeconds: 20 } }],
        agents: [{ name: 'a', count: 20 }],
      }),
      { ordering: 'fifo', seed: 5 },
    );
    // 100 hours of each profile hour: expected 100·100·(0.5 + 1 + 2 + 1) = 45,000 arrivals.
    expect(r.overall.offered).toBeGreaterThan(45_000 * 0.97);
    expect(r.overall.offered).toBeLessThan(45_000 * 1.03);
  });

  it('handle-time and patience distributions have the requested moments', () => {
    const rand = prng(11);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = lognormal(rand, 300, 0.5);
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    const cv = Math.sqrt(sq / n - mean * mean) / mean;
    expect(mean).toBeGreaterThan(297);
    expect(mean).toBeLessThan(303);
    expect(cv).toBeGreaterThan(0.48);
    expect(cv).toBeLessThan(0.52);
    let e = 0;
    for (let i = 0; i < n; i++) e += exponential(rand, 180);
    expect(e / n).toBeGreaterThan(178);
    expect(e / n).toBeLessThan(182);
  });

  it('lognormal handle times with wrap-up: every offered call is answered or abandoned; wrap-up is occupied time', () => {
    const r = simulate(
      parseScenario({
        name: 'lognormal',
        hours: 50,
        handleTime: 'lognormal',
        handleCv: 0.6,
        queues: [
          { id: 'q', arrivalsPerHour: 120, ahtSeconds: 300, patienceSeconds: 180, wrapUpSeconds: 10, serviceObjective: { percent: 80, thresholdSeconds: 20 } },
        ],
        agents: [{ name: 'a', count: 12 }],
      }),
      { ordering: 'service-objective', seed: 2 },
    );
    expect(r.overall.offered).toBeGreaterThan(5000);
    expect(r.overall.answered + r.overall.abandoned).toBe(r.overall.offered);
    // Wrap-up counts in occupancy: (300 + 10) s per answered call.
    expect(r.overall.occupancy).toBeGreaterThan(0.75);
    expect(r.overall.occupancy).toBeLessThan(0.9);
  });
});
