import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QueueSpec } from '../../src/protocol/schemas.ts';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const scenarioFile = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios', name), 'utf8')) as ScenarioInput;

type Rules = NonNullable<ScenarioInput['queues'][number]['exceptions']>;

/** Two queues: `sales` with `rules`, and `general`. */
const twoQueues = (rules: unknown): ScenarioInput => ({
  name: 'rules',
  queues: [
    { id: 'sales', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: { percent: 80, thresholdSeconds: 20 }, exceptions: rules as Rules },
    { id: 'general', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: { percent: 80, thresholdSeconds: 20 } },
  ],
  agents: [{ name: 'agents', count: 8 }],
});

/** One overloaded queue (ρ ≈ 1.7) whose callers wait up to 10 minutes on average, with `rules`. */
const overloaded = (rules: Rules, patienceSeconds: number | null = 600): ScenarioInput => ({
  name: 'overloaded',
  hours: 3,
  warmupHours: 0.5,
  queues: [{ id: 'q', arrivalsPerHour: 120, ahtSeconds: 300, patienceSeconds, serviceObjective: { percent: 80, thresholdSeconds: 20 }, exceptions: rules }],
  agents: [{ name: 'agents', count: 6 }],
});

describe('scenario exceptions', () => {
  it('defaults to none and takes the wire’s rules unchanged, thresholds of waitMs and estimatedWaitMs in milliseconds', () => {
    expect(parseScenario(twoQueues(undefined)).queues[0].exceptions).toEqual([]);
    const rules = [
      { trigger: { type: 'queueLength', threshold: 5 }, action: { type: 'overflow', queue: 'general' } },
      { trigger: { type: 'estimatedWaitMs', threshold: 120_000 }, action: { type: 'refuse' } },
      { trigger: { type: 'serviceLevelBelow', threshold: 0.6 }, action: { type: 'setPriority', priority: 20 } },
      { trigger: { type: 'noEligibleAgents' }, action: { type: 'cancel', reason: 'closed' } },
      { trigger: { type: 'waitMs', threshold: 90_000 }, action: { type: 'cancel' } },
    ];
    const parsed = parseScenario(twoQueues(rules)).queues[0].exceptions;
    expect(parsed).toEqual(rules);
    // What the scenario accepts, a real configuration accepts: the same list is a valid QueueSpec.
    expect(QueueSpec.safeParse({ id: 'sales', exceptions: parsed }).success).toBe(true);
  });

  it('refuses a rule the engine or the wire would refuse', () => {
    /** Rules, and what the refusal says (or only why the case is there). */
    const bad: [unknown, { says?: string; why?: string }][] = [
      [[{ trigger: { type: 'queueSize', threshold: 5 }, action: { type: 'refuse' } }], { why: 'unknown trigger' }],
      [[{ trigger: { type: 'queueLength', threshold: 5 }, action: { type: 'hangUp' } }], { why: 'unknown action' }],
      [[{ trigger: { type: 'queueLength', threshold: -1 }, action: { type: 'refuse' } }], { why: 'queueLength -1' }],
      [[{ trigger: { type: 'queueLength', threshold: 1.5 }, action: { type: 'refuse' } }], { why: 'queueLength 1.5' }],
      [[{ trigger: { type: 'waitMs', threshold: 0.5 }, action: { type: 'cancel' } }], { why: 'waitMs in whole milliseconds' }],
      [[{ trigger: { type: 'waitMs', threshold: 31 * 24 * 3_600_000 }, action: { type: 'cancel' } }], { why: 'waitMs over 30 days' }],
      [[{ trigger: { type: 'serviceLevelBelow', threshold: 0 }, action: { type: 'refuse' } }], { why: 'serviceLevelBelow 0' }],
      [[{ trigger: { type: 'serviceLevelBelow', threshold: 80 }, action: { type: 'refuse' } }], { why: 'serviceLevelBelow is a fraction' }],
      [[{ trigger: { type: 'queueLength' }, action: { type: 'refuse' } }], { why: 'no threshold' }],
      [[{ trigger: { type: 'waitSeconds', threshold: 30 }, action: { type: 'cancel' } }], { why: 'no seconds variant' }],
      [[{ trigger: { type: 'queueLength', threshold: 5, seconds: 3 }, action: { type: 'refuse' } }], { why: 'unknown key' }],
      [[{ trigger: { type: 'queueLength', threshold: 5 }, action: { type: 'setPriority', priority: 101 } }], { why: 'priority 101' }],
      [[{ trigger: { type: 'queueLength', threshold: 5 }, action: { type: 'cancel', reason: '' } }], { why: 'empty reason' }],
      [[{ trigger: { type: 'waitMs', threshold: 30_000 }, action: { type: 'refuse' } }], { says: 'refuse applies to submissions only' }],
      [[{ trigger: { type: 'queueLength', threshold: 5 }, action: { type: 'overflow', queue: 'sales' } }], { says: "queue 'sales' overflows into itself" }],
      [
        [{ trigger: { type: 'queueLength', threshold: 5 }, action: { type: 'overflow', queue: 'nope' } }],
        { says: "queue 'sales' overflows into queue 'nope', which the scenario does not define" },
      ],
      [Array.from({ length: 9 }, () => ({ trigger: { type: 'noEligibleAgents' }, action: { type: 'refuse' } })), { why: 'more than 8 rules' }],
    ];
    for (const [rules, { says, why }] of bad) {
      const what = says ?? why;
      expect(() => parseScenario(twoQueues(rules)), what).toThrow(says);
      // The wire refuses the same shapes (the engine the rest: refuse on waitMs, overflow targets).
      if (why !== undefined) expect(QueueSpec.safeParse({ id: 'sales', exceptions: rules }).success, what).toBe(false);
    }
    expect(() =>
      parseScenario(twoQueues(Array.from({ length: 8 }, () => ({ trigger: { type: 'noEligibleAgents' }, action: { type: 'refuse' } })))),
    ).not.toThrow();
  });

  it('refuses queues that overflow into each other after 0 ms, which would circle for ever at one instant', () => {
    const ring = (ms: number): ScenarioInput => {
      const s = twoQueues([{ trigger: { type: 'waitMs', threshold: 0 }, action: { type: 'overflow', queue: 'general' } }]);
      return {
        ...s,
        queues: [s.queues[0], { ...s.queues[1], exceptions: [{ trigger: { type: 'waitMs', threshold: ms }, action: { type: 'overflow', queue: 'sales' } }] }],
      };
    };
    expect(() => parseScenario(ring(0))).toThrow("queues 'sales' → 'general' → 'sales' overflow into each other after 0 ms");
    expect(() => parseScenario(ring(1))).not.toThrow();
  });
});

describe('exception rules in the simulation', () => {
  it('refuse: refused callers are counted in offered, against the service level, and lost; the others are the same callers', () => {
    const without = simulate(parseScenario(overloaded([])), { ordering: 'fifo', seed: 1 });
    const r = simulate(parseScenario(overloaded([{ trigger: { type: 'queueLength', threshold: 3 }, action: { type: 'refuse' } }])), {
      ordering: 'fifo',
      seed: 1,
    });
    const q = r.queues.q;
    expect(q.offered).toBe(without.queues.q.offered); // refused callers are offered callers
    expect(q.refused).toBeGreaterThan(0);
    expect(q.cancelledByRule).toBe(0);
    expect(q.answered + q.abandoned + q.refused).toBe(q.offered);
    expect(q.serviceLevel).toBeLessThanOrEqual(q.answered / q.offered);
    expect(q.pLost).toBeCloseTo((q.abandoned + q.refused) / q.offered, 12);
    expect(q.pAbandon).toBeCloseTo(q.abandoned / q.offered, 12);
    // Those let in find at most 3 ahead: they wait far less than in the unbounded queue.
    expect(q.meanWait).toBeLessThan(without.queues.q.meanWait / 2);
    expect(r.overall.refused).toBe(q.refused);
    expect(without.queues.q).toMatchObject({ refused: 0, cancelledByRule: 0, overflowedByRule: 0, pLost: without.queues.q.pAbandon });
  });

  it('cancel: a waitMs rule ends every wait at its threshold; the callers it ends are counted, not as abandons', () => {
    const r = simulate(parseScenario(overloaded([{ trigger: { type: 'waitMs', threshold: 30_000 }, action: { type: 'cancel', reason: 'voicemail' } }], null)), {
      ordering: 'fifo',
      seed: 1,
    });
    const q = r.queues.q;
    expect(q.cancelledByRule).toBeGreaterThan(0);
    expect(q.abandoned).toBe(0); // nobody hangs up
    expect(q.answered + q.cancelledByRule).toBe(q.offered);
    expect(q.asa).toBeLessThanOrEqual(30);
    expect(q.meanWait).toBeLessThanOrEqual(30);
    expect(q.pLost).toBeCloseTo(q.cancelledByRule / q.offered, 12);
  });

  it('overflow: the simulator follows the caller into the other queue, and counts it where it called', () => {
    // Sales is members-only and nobody is a member: each call overflows at once to general.
    const s = twoQueues([{ trigger: { type: 'noEligibleAgents' }, action: { type: 'overflow', queue: 'general' } }]);
    const r = simulate(parseScenario({ ...s, hours: 3, queues: [{ ...s.queues[0], membersOnly: true }, s.queues[1]] }), { ordering: 'fifo', seed: 1 });
    const sales = r.queues.sales;
    expect(sales.offered).toBeGreaterThan(0);
    expect(sales.overflowedByRule).toBe(sales.offered);
    expect(sales.answered).toBe(sales.offered); // no patience: every one answered, in general
    expect(r.queues.general.overflowedByRule).toBe(0);
    const alone = simulate(parseScenario({ ...s, hours: 3, queues: [s.queues[0], s.queues[1]], agents: s.agents }), { ordering: 'fifo', seed: 1 });
    expect(r.queues.general.offered).toBe(alone.queues.general.offered); // general's own callers only
  });
});

describe('scenarios without rules are unchanged', () => {
  it('give the figures they gave before exception rules existed', () => {
    // Recorded with the simulator before exceptions were added (3 hours, seed 2).
    const run = (file: string, ordering: 'fifo' | 'deadline' | 'service-objective') =>
      simulate(parseScenario({ ...scenarioFile(file), hours: 3 }), { ordering, seed: 2 });
    const lost = (r: ReturnType<typeof run>) => ({ refused: 0, cancelledByRule: 0, overflowedByRule: 0, pLost: r.overall.pAbandon });
    const multi = run('multi-skill.json', 'deadline');
    expect(multi.overall).toMatchObject({
      offered: 1399,
      answered: 1340,
      abandoned: 59,
      serviceLevel: 0.8005718370264474,
      asa: 11.58392695090738,
      meanWait: 12.441181901067413,
      pWait: 0.36097212294496067,
      occupancy: 0.8944334467987156,
      valueWeightedWait: 15.736642985531114,
      ...lost(multi),
    });
    expect(multi.engineCommands).toBe(5034);
    const ring = run('ring-all.json', 'fifo');
    expect(ring.overall).toMatchObject({
      offered: 369,
      answered: 348,
      abandoned: 21,
      serviceLevel: 0.8211382113821138,
      asa: 7.288902399479374,
      meanWait: 7.611707409328224,
      offersRescinded: 540,
      ringOccupancy: 0.01840332292070081,
      rescindedOccupancy: 0.010146596027945902,
      ...lost(ring),
    });
    expect(ring.engineCommands).toBe(2028);
    const profiles = run('routing-profiles.json', 'service-objective');
    expect(profiles.overall).toMatchObject({
      offered: 1251,
      answered: 1209,
      serviceLevel: 0.9480415667466027,
      asa: 12.969862261013972,
      meanWait: 14.102643687343283,
      occupancy: 0.9203780520383522,
      ...lost(profiles),
    });
    expect(profiles.engineCommands).toBe(4564);
  });

  it('a rule that never fires changes no figure', () => {
    const file = { ...scenarioFile('multi-skill.json'), hours: 3 };
    const never = {
      ...file,
      queues: file.queues.map((q) => ({ ...q, exceptions: [{ trigger: { type: 'queueLength', threshold: 1_000_000 }, action: { type: 'refuse' } }] as Rules })),
    };
    const a = simulate(parseScenario(file), { ordering: 'service-objective', seed: 1 });
    const b = simulate(parseScenario(never), { ordering: 'service-objective', seed: 1 });
    expect(b.queues).toEqual(a.queues);
    expect(b.overall).toEqual(a.overall);
    expect(b.engineCommands).toBe(a.engineCommands + file.queues.length); // the rules' UpsertQueue
  });
});

describe('scenarios/overflow-on-length.json', () => {
  it('the overflow rule lifts sales on the same callers, at general’s expense', () => {
    const file = { ...scenarioFile('overflow-on-length.json'), hours: 4 };
    const withRule = parseScenario(file);
    expect(withRule.queues[0].exceptions).toEqual([{ trigger: { type: 'queueLength', threshold: 2 }, action: { type: 'overflow', queue: 'general' } }]);
    const off = parseScenario({ ...file, queues: file.queues.map((q) => ({ ...q, exceptions: [] })) });
    const on = simulate(withRule, { ordering: 'fifo', seed: 1 });
    const none = simulate(off, { ordering: 'fifo', seed: 1 });
    expect(on.queues.sales.offered).toBe(none.queues.sales.offered);
    expect(on.queues.general.offered).toBe(none.queues.general.offered);
    expect(on.queues.sales.overflowedByRule).toBeGreaterThan(0);
    expect(none.queues.sales.overflowedByRule).toBe(0);
    expect(on.queues.sales.serviceLevel).toBeGreaterThan(none.queues.sales.serviceLevel);
    expect(on.queues.sales.abandoned).toBeLessThan(none.queues.sales.abandoned);
    expect(on.queues.general.asa).toBeGreaterThan(none.queues.general.asa);
  });
});
