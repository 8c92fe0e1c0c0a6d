import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { MAX_DEFER_QUEUES } from '../../src/engine/options.ts';
import type { EngineEvent } from '../../src/engine/types.ts';
import { withoutOverload } from '../../src/sim/cli.ts';
import { MAX_OVERLOAD_WAIT_MS, parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const scenarioFile = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios', name), 'utf8')) as ScenarioInput;

type QueueInput = ScenarioInput['queues'][number];

/** Two queues: `voice` with `voice` fields, `email` with `email` fields; one group of 4 serving both. */
const twoQueues = (
  voice: Partial<QueueInput> | Record<string, unknown> = {},
  email: Partial<QueueInput> | Record<string, unknown> = {},
  agents?: unknown,
): ScenarioInput => ({
  name: 'overload',
  queues: [
    { id: 'voice', arrivalsPerHour: 60, ahtSeconds: 200, serviceObjective: { percent: 80, thresholdSeconds: 20 }, ...voice } as QueueInput,
    {
      id: 'email',
      arrivalsPerHour: 20,
      ahtSeconds: 300,
      serviceObjective: { percent: 90, thresholdSeconds: 14_400 },
      channel: 'email',
      ...email,
    } as QueueInput,
  ],
  agents: (agents as ScenarioInput['agents'] | undefined) ?? [{ name: 'agents', count: 4 }],
});

/** Does the engine take these queue settings (UpsertQueue of both queues, then the deferral)? */
function engineTakes(s: ScenarioInput): boolean {
  const e = new Engine();
  for (const q of s.queues) {
    const { deferrable: _, ...rest } = q as QueueInput & Record<string, unknown>;
    const { arrivalsPerHour: _a, ahtSeconds: _h, serviceObjective: _o, channel: _c, ...spec } = rest;
    if (!e.apply({ type: 'UpsertQueue', queue: spec as never }, 0).ok) return false;
  }
  for (const q of s.queues) if (q.deferrable != null && !e.apply({ type: 'UpsertQueue', queue: { id: q.id, deferrable: q.deferrable } }, 0).ok) return false;
  return true;
}

describe('scenario overload fields (reserveWhen, reserveUntil, deferrable, reserve)', () => {
  it('default to none, and take the wire’s shapes unchanged (milliseconds, service levels 0–1)', () => {
    const plain = parseScenario(twoQueues());
    expect(plain.queues.map((q) => [q.reserveWhen, q.reserveUntil, q.deferrable])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    const voice = {
      reserveWhen: { estimatedWaitMs: 60_000, oldestWaitMs: 30_000, serviceLevelBelow: 0.7 },
      reserveUntil: { estimatedWaitMs: 20_000, oldestWaitMs: 5_000, serviceLevelAtLeast: 0.8 },
    };
    const email = { deferrable: { whileHealthy: ['voice'] } };
    const agents = [{ name: 'blend', count: 2, queues: { voice: { reserve: true }, email: {} } }];
    const s = parseScenario(twoQueues(voice, email, agents));
    expect(s.queues[0]).toMatchObject(voice);
    expect(s.queues[1]).toMatchObject(email);
    expect(s.agents[0].queues).toEqual({ voice: { priority: 1, delaySeconds: 0, reserve: true }, email: { priority: 1, delaySeconds: 0 } });
    expect(engineTakes(twoQueues(voice, email))).toBe(true);
    // The longest wait threshold is the engine's: a week.
    const week = twoQueues({ reserveWhen: { oldestWaitMs: MAX_OVERLOAD_WAIT_MS } });
    expect(() => parseScenario(week)).not.toThrow();
    expect(engineTakes(week)).toBe(true);
    const longer = twoQueues({ reserveWhen: { oldestWaitMs: MAX_OVERLOAD_WAIT_MS + 1 } });
    expect(() => parseScenario(longer)).toThrow();
    expect(engineTakes(longer)).toBe(false);
  });

  it('refuses what the engine refuses, with the engine’s bounds', () => {
    const bad: [ScenarioInput, string | undefined, string][] = [
      [twoQueues({ reserveWhen: {} }), 'must name estimatedWaitMs, oldestWaitMs or serviceLevelBelow', 'no measure'],
      [twoQueues({ reserveWhen: { oldestWaitMs: 0 } }), undefined, 'a wait of 0 ms'],
      [twoQueues({ reserveWhen: { oldestWaitMs: 1.5 } }), undefined, 'whole milliseconds'],
      [twoQueues({ reserveWhen: { estimatedWaitMs: -1 } }), undefined, 'negative'],
      [twoQueues({ reserveWhen: { serviceLevelBelow: 0 } }), undefined, 'service level 0'],
      [twoQueues({ reserveWhen: { serviceLevelBelow: 80 } }), undefined, 'a service level is a fraction'],
      [twoQueues({ reserveWhen: { waitSeconds: 30 } }), undefined, 'unknown measure'],
      [twoQueues({ reserveUntil: { oldestWaitMs: 5_000 } }), "queue 'voice' has a reserveUntil but no reserveWhen", 'reserveUntil alone'],
      [
        twoQueues({ reserveWhen: { oldestWaitMs: 10_000 }, reserveUntil: { oldestWaitMs: 20_000 } }),
        'reserveUntil.oldestWaitMs must be at most reserveWhen.oldestWaitMs (10000)',
        'recovery stricter than the start',
      ],
      [
        twoQueues({ reserveWhen: { oldestWaitMs: 10_000 }, reserveUntil: { estimatedWaitMs: 5_000 } }),
        'reserveUntil.estimatedWaitMs needs reserveWhen.estimatedWaitMs',
        'recovery on another measure',
      ],
      [
        twoQueues({ reserveWhen: { serviceLevelBelow: 0.8 }, reserveUntil: { serviceLevelAtLeast: 0.7 } }),
        'reserveUntil.serviceLevelAtLeast must be in [0.8, 1]',
        'service level recovery below the start',
      ],
      [twoQueues({ reserveWhen: { serviceLevelBelow: 0.8 }, reserveUntil: { serviceLevelAtLeast: 1.2 } }), undefined, 'service level above 1'],
      [twoQueues({ reserveWhen: { oldestWaitMs: 10_000 } }, { deferrable: { whileHealthy: [] } }), undefined, 'deferrable on no queue'],
      [
        twoQueues({ reserveWhen: { oldestWaitMs: 10_000 } }, { deferrable: { whileHealthy: Array.from({ length: MAX_DEFER_QUEUES + 1 }, () => 'voice') } }),
        undefined,
        'deferrable on too many queues',
      ],
      [twoQueues({}, { deferrable: { whileHealthy: ['email'] } }), "queue 'email' cannot defer to itself", 'deferrable on itself'],
      [
        twoQueues({}, { deferrable: { whileHealthy: ['chat'] } }),
        "queue 'email' is deferrable while queue 'chat' is healthy, which the scenario does not define",
        'undefined queue',
      ],
      [twoQueues({}, { deferrable: { whileHealthy: ['voice'] } }), "but 'voice' has no reserveWhen: it is never in overload", 'a queue never in overload'],
      [twoQueues({}, { deferrable: { voice: true } }), undefined, 'not the wire’s shape'],
    ];
    for (const [s, says, why] of bad) expect(() => parseScenario(s), why).toThrow(says);
    // The engine refuses the same settings, but deferral on a queue without reserveWhen, which it
    // takes (a rule may be given to that queue later) and which in a scenario would do nothing.
    for (const [s, , why] of bad) expect(engineTakes(s), why).toBe(why === 'a queue never in overload');
  });

  it('refuses a reserve membership of a queue without reserveWhen: the group would never take its work', () => {
    const reserveOf = (voice: Partial<QueueInput>) => twoQueues(voice, {}, [{ name: 'backup', count: 2, queues: { voice: { reserve: true }, email: {} } }]);
    expect(() => parseScenario(reserveOf({}))).toThrow(
      "agent group 'backup' is a reserve of queue 'voice', which has no reserveWhen: it is never in overload, so the group would never take its work",
    );
    expect(() => parseScenario(reserveOf({ reserveWhen: { oldestWaitMs: 10_000 } }))).not.toThrow();
    expect(() => parseScenario(twoQueues({}, {}, [{ name: 'a', count: 1, queues: { voice: { reserve: 'yes' } } }]))).toThrow();
    // reserve: false is a regular membership, legal anywhere.
    expect(() => parseScenario(twoQueues({}, {}, [{ name: 'a', count: 1, queues: { voice: { reserve: false } } }]))).not.toThrow();
  });
});

/** Follows the overload state through a run's events: is each queue in overload at each event. */
function overloadTracker() {
  const on = new Set<string>();
  const offers: { queue: string; agentId: string; overloaded: Set<string> }[] = [];
  const intervals = new Map<string, [number, number][]>();
  const ixQueue = new Map<string, string>();
  return {
    offers,
    intervals,
    /** The simulator's events, in order; interaction ids are mapped to queues by `queueOf`. */
    trace: (queueOf: (id: string) => string) => (e: EngineEvent) => {
      if (e.type === 'QueueOverloadStarted') {
        on.add(e.queueId);
        const list = intervals.get(e.queueId) ?? [];
        list.push([e.at, Number.POSITIVE_INFINITY]);
        intervals.set(e.queueId, list);
      } else if (e.type === 'QueueOverloadEnded') {
        on.delete(e.queueId);
        const list = intervals.get(e.queueId)!;
        list[list.length - 1][1] = e.at;
      } else if (e.type === 'InteractionOffered') {
        const queue = ixQueue.get(e.interactionId) ?? queueOf(e.interactionId);
        ixQueue.set(e.interactionId, queue);
        offers.push({ queue, agentId: e.agentId, overloaded: new Set(on) });
      }
    },
  };
}

describe('overload in the simulation', () => {
  /**
   * One queue with one regular agent and one reserve that joins when the oldest call has waited
   * 60 s (ρ ≈ 1.3 for the regular alone, nobody abandons).
   */
  const reserveScenario = (oldestWaitMs: number): ScenarioInput => ({
    name: 'reserve',
    hours: 6,
    warmupHours: 0.5,
    queues: [{ id: 'q', arrivalsPerHour: 16, ahtSeconds: 300, serviceObjective: { percent: 80, thresholdSeconds: 20 }, reserveWhen: { oldestWaitMs } }],
    agents: [
      { name: 'regular', count: 1, queues: { q: {} } },
      { name: 'backup', count: 1, queues: { q: { reserve: true } } },
    ],
  });

  it('a reserve agent takes the queue’s work only while the queue is in overload', () => {
    // Every interaction is x<n>, all of queue q.
    const t = overloadTracker();
    const r = simulate(parseScenario(reserveScenario(60_000)), { ordering: 'fifo', seed: 3, trace: t.trace(() => 'q') });
    const byBackup = t.offers.filter((o) => o.agentId.startsWith('backup-'));
    expect(byBackup.length).toBeGreaterThan(10);
    for (const o of byBackup) expect(o.overloaded.has('q')).toBe(true);
    // The regular agent works in and out of overload.
    expect(t.offers.some((o) => o.agentId.startsWith('regular-') && !o.overloaded.has('q'))).toBe(true);
    const q = r.queues.q;
    expect(q.overloadEpisodes).toBeGreaterThan(0);
    expect(q.answeredByReserve).toBeGreaterThan(0);
    expect(q.answeredByReserve).toBeLessThan(q.answered);
    // The share of the window in overload is the events' intervals, clipped to the window.
    const window: [number, number] = [0.5 * 3_600_000, 6 * 3_600_000];
    const inWindow = (t.intervals.get('q') ?? []).reduce((a, [s, e]) => a + Math.max(0, Math.min(e, window[1]) - Math.max(s, window[0])), 0);
    expect(q.overloadShare).toBeCloseTo(inWindow / (window[1] - window[0]), 12);
    expect(q.overloadShare).toBeGreaterThan(0);
    expect(r.overall.overloadShare).toBe(q.overloadShare);
    // A threshold never reached: the reserve never works.
    const never = simulate(parseScenario(reserveScenario(MAX_OVERLOAD_WAIT_MS)), { ordering: 'fifo', seed: 3 });
    expect(never.queues.q).toMatchObject({ answeredByReserve: 0, overloadEpisodes: 0, overloadShare: 0 });
    // With the rule, the reserve's work shortens the waits on the same callers.
    expect(never.queues.q.offered).toBe(q.offered);
    expect(q.asa).toBeLessThan(never.queues.q.asa);
  });

  it('deferrable work is not offered while the queue it names is in overload', () => {
    const s: ScenarioInput = {
      name: 'defer',
      hours: 6,
      warmupHours: 0.5,
      queues: [
        { id: 'voice', arrivalsPerHour: 50, ahtSeconds: 240, serviceObjective: { percent: 80, thresholdSeconds: 20 }, reserveWhen: { oldestWaitMs: 5_000 } },
        {
          id: 'email',
          channel: 'email',
          arrivalsPerHour: 25,
          ahtSeconds: 300,
          serviceObjective: { percent: 90, thresholdSeconds: 14_400 },
          deferrable: { whileHealthy: ['voice'] },
        },
      ],
      agents: [{ name: 'blend', count: 6, capacity: { total: 1, channels: { voice: { cost: 1, max: 1 }, email: { cost: 1, max: 1 } } } }],
    };
    const queueOfId = new Map<string, string>();
    const t = overloadTracker();
    // Which queue an interaction is in: the simulator submits with the queue's channel; follow submissions through offers.
    const scenario = parseScenario(s);
    const trace = t.trace((id) => queueOfId.get(id) ?? '?');
    const r = simulate(scenario, {
      ordering: 'fifo',
      seed: 5,
      trace: (e) => {
        if (e.type === 'InteractionQueued') queueOfId.set(e.interactionId, e.queueId);
        trace(e);
      },
    });
    const email = t.offers.filter((o) => o.queue === 'email');
    const voice = t.offers.filter((o) => o.queue === 'voice');
    expect(email.length).toBeGreaterThan(50);
    for (const o of email) expect(o.overloaded.has('voice')).toBe(false);
    expect(voice.some((o) => o.overloaded.has('voice'))).toBe(true);
    expect(r.queues.voice.overloadEpisodes).toBeGreaterThan(0);
    // Deferred exactly while voice was in overload; every email answered in the end.
    expect(r.queues.email.deferredShare).toBeGreaterThan(0);
    expect(r.queues.email.deferredShare).toBeCloseTo(r.queues.voice.overloadShare, 12);
    expect(r.queues.email.overloadShare).toBe(0);
    expect(r.queues.email.answered).toBe(r.queues.email.offered);
    // Without the rule email is offered whenever an agent is free: it waits less, voice more.
    const off = simulate(withoutOverload(scenario), { ordering: 'fifo', seed: 5 });
    expect(off.queues.email.offered).toBe(r.queues.email.offered);
    expect(off.queues.voice).toMatchObject({ overloadShare: 0, overloadEpisodes: 0 });
    expect(off.queues.email.deferredShare).toBe(0);
    expect(off.queues.email.asa).toBeLessThan(r.queues.email.asa);
    expect(off.queues.voice.asa).toBeGreaterThan(r.queues.voice.asa);
  });

  it('p90Wait is the 90th percentile of the answered’s waits', () => {
    const r = simulate(parseScenario(reserveScenario(60_000)), { ordering: 'fifo', seed: 3 });
    const q = r.queues.q;
    expect(q.p90Wait).toBeGreaterThan(q.asa); // a long tail: waits up to minutes, many at 0
    expect(r.overall.p90Wait).toBe(q.p90Wait);
  });
});

describe('scenarios/value-tiered-reserve-agents.json and scenarios/blended.json', () => {
  it('value-tiered-reserve-agents with the rule off is value-tiered, run for run', () => {
    const variant = parseScenario(scenarioFile('value-tiered-reserve-agents.json'));
    expect(variant.queues.find((q) => q.id === 'retention')?.reserveWhen).not.toBeNull();
    expect(variant.agents.some((g) => g.queues?.retention?.reserve === true)).toBe(true);
    const file = { ...scenarioFile('value-tiered.json'), hours: 3 };
    const original = simulate(parseScenario(file), { ordering: 'service-objective', seed: 2 });
    const off = simulate(withoutOverload({ ...variant, hours: 3 }), { ordering: 'service-objective', seed: 2 });
    const plain = (m: typeof original.overall) => ({ ...m, p90Wait: 0, answeredByReserve: 0 });
    expect(plain(off.queues.care)).toEqual(plain(original.queues.care));
    expect(plain(off.queues.retention)).toEqual(plain(original.queues.retention));
    expect(off.queues.retention.answeredByReserve).toBe(0);
    // With it, the reserves take some retention calls, which then wait less, on the same callers.
    const on = simulate({ ...variant, hours: 3 }, { ordering: 'service-objective', seed: 2 });
    expect(on.queues.retention.offered).toBe(off.queues.retention.offered);
    expect(on.queues.retention.answeredByReserve).toBeGreaterThan(0);
    expect(on.queues.retention.serviceLevel).toBeGreaterThan(off.queues.retention.serviceLevel);
    expect(on.queues.retention.overloadEpisodes).toBeGreaterThan(0);
  });

  it('blended: deferral keeps voice ahead of email under fifo on the same callers, and email is still answered in time', () => {
    const blended = parseScenario({ ...scenarioFile('blended.json'), hours: 4 });
    const on = simulate(blended, { ordering: 'fifo', seed: 1 });
    const off = simulate(withoutOverload(blended), { ordering: 'fifo', seed: 1 });
    expect(on.queues.voice.offered).toBe(off.queues.voice.offered);
    expect(on.queues.voice.serviceLevel).toBeGreaterThan(off.queues.voice.serviceLevel + 0.03);
    expect(on.queues.voice.pAbandon).toBeLessThan(off.queues.voice.pAbandon);
    expect(on.queues.email.deferredShare).toBeGreaterThan(0);
    expect(on.queues.email.serviceLevel).toBeGreaterThanOrEqual(0.9);
  });
});
