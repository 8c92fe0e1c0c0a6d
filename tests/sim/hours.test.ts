import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/types.ts';
import { QueueSpec } from '../../src/protocol/schemas.ts';
import { withoutHours } from '../../src/sim/cli.ts';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const scenarioFile = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../scenarios', name), 'utf8')) as ScenarioInput;

type QueueInput = ScenarioInput['queues'][number];

const H = 3_600_000;
/** A Friday, midnight in Berlin (CET, UTC+1). */
const START = '2026-03-06T00:00:00+01:00';
const T0 = Date.parse(START);
/** Open 08:00–18:00 Berlin time, Monday to Friday. */
const WEEKDAYS = { timeZone: 'Europe/Berlin', weekly: [{ days: [1, 2, 3, 4, 5], open: '08:00', close: '18:00' }] };
/** The openings of a run from START: Friday, Monday and Tuesday 08:00–18:00 (07:00–17:00 UTC). */
const OPEN: [number, number][] = [
  [T0 + 8 * H, T0 + 18 * H],
  [T0 + 80 * H, T0 + 90 * H],
  [T0 + 104 * H, T0 + 114 * H],
];
const isOpen = (t: number) => OPEN.some(([from, to]) => t >= from && t < to);
const nextOpening = (t: number) => OPEN.find(([from]) => from > t)![0];

/** A run from START, measured from the first arrival: `queues` and `agents`. */
const run = (queues: QueueInput[], agents: ScenarioInput['agents'], hours = 96): ScenarioInput => ({
  name: 'hours',
  start: START,
  hours,
  warmupHours: 0,
  queues,
  agents,
});

const queue = (id: string, more: Partial<QueueInput> | Record<string, unknown> = {}): QueueInput =>
  ({ id, arrivalsPerHour: 20, ahtSeconds: 240, patienceSeconds: 120, serviceObjective: { percent: 80, thresholdSeconds: 20 }, ...more }) as QueueInput;

/** Support with `hours` and an `after-hours` queue; one group of 4. */
const withHours = (hours: unknown, start: string | null = START): ScenarioInput => ({
  name: 'hours',
  ...(start !== null ? { start } : {}),
  queues: [queue('support', { hours }), queue('after-hours')],
  agents: [{ name: 'agents', count: 4 }],
});

/** Does the engine take these queues' hours (every queue defined first, as the simulator does)? */
function engineTakes(s: ScenarioInput): boolean {
  const e = new Engine();
  for (const q of s.queues) if (!e.apply({ type: 'UpsertQueue', queue: { id: q.id } }, 0).ok) return false;
  for (const q of s.queues) if (q.hours != null && !e.apply({ type: 'UpsertQueue', queue: { id: q.id, hours: q.hours } as never }, 0).ok) return false;
  return true;
}

/** Would a server refuse these hours on support: the wire's schema, or the engine behind it? */
const serverRefuses = (hours: unknown) => !QueueSpec.safeParse({ id: 'support', hours }).success || !engineTakes(withHours(hours));

/** Follows a run's submissions and assignments. */
function tracker() {
  const queued = new Map<string, { at: number; queue: string; notBefore?: number }>();
  const assigned = new Map<string, { at: number; queue: string; agentId: string }>();
  return {
    queued,
    assigned,
    trace: (e: EngineEvent) => {
      if (e.type === 'InteractionQueued') queued.set(e.interactionId, { at: e.at, queue: e.queueId, notBefore: e.notBefore });
      else if (e.type === 'InteractionAssigned') assigned.set(e.interactionId, { at: e.at, queue: e.queueId, agentId: e.agentId });
    },
  };
}

describe('scenario hours (the wire’s QueueSpec.hours) and start', () => {
  it('default to none, and take the wire’s shape unchanged', () => {
    const plain = parseScenario({ name: 'plain', queues: [queue('support')], agents: [{ name: 'a', count: 1 }] });
    expect(plain.queues[0].hours).toBeNull();
    expect(plain.start).toBeUndefined();
    const hours = {
      timeZone: 'Europe/Berlin',
      weekly: [
        { days: [1, 2, 3, 4, 5], open: '08:00', close: '18:00' },
        { days: [6], open: '10:00', close: '14:00' },
        { days: [0], open: '00:00', close: '24:00' },
      ],
      overrides: [{ date: '2026-04-03' }, { date: '2026-12-24', intervals: [{ open: '08:00', close: '12:00' }] }],
      closedAction: { type: 'overflow', queue: 'after-hours' },
    };
    const s = parseScenario(withHours(hours));
    expect(s.queues[0].hours).toEqual(hours);
    expect(s.start).toBe(START);
    // What the scenario accepts, a server accepts: the wire's schema and the engine.
    expect(serverRefuses(hours)).toBe(false);
    for (const closedAction of [{ type: 'refuse' }, { type: 'hold' }])
      expect(parseScenario(withHours({ ...hours, closedAction })).queues[0].hours?.closedAction).toEqual(closedAction);
    const { closedAction: _, ...refusing } = hours;
    expect(parseScenario(withHours(refusing)).queues[0].hours).toEqual(refusing);
    expect(parseScenario(withHours(WEEKDAYS, '2026-03-06T00:00:00Z')).start).toBe('2026-03-06T00:00:00Z');
  });

  it('refuses hours a server would refuse, with a message that says what is wrong', () => {
    const week = (w: Record<string, unknown>) => ({ ...WEEKDAYS, weekly: [{ ...WEEKDAYS.weekly[0], ...w }] });
    /** Hours on support, and what the refusal says (or only why the case is there). */
    const bad: [unknown, { says?: string; why?: string }][] = [
      [{ ...WEEKDAYS, timeZone: 'Mars/Olympus' }, { says: "unknown time zone 'Mars/Olympus'" }],
      [week({ open: '8:00' }), { says: 'a time is HH:MM, from 00:00 to 24:00' }],
      [week({ close: '24:30' }), { says: 'a time is HH:MM, from 00:00 to 24:00' }],
      [week({ open: '18:00', close: '08:00' }), { says: 'close must be after open' }],
      [week({ open: '08:00', close: '08:00' }), { says: 'close must be after open' }],
      [week({ days: [7] }), { why: 'day 7' }],
      [week({ days: [] }), { why: 'no days' }],
      [week({ days: [1.5] }), { why: 'a day is a whole number' }],
      [{ ...WEEKDAYS, weekly: Array.from({ length: 29 }, () => WEEKDAYS.weekly[0]) }, { why: 'more than 28 weekly entries' }],
      [{ ...WEEKDAYS, overrides: [{ date: '6 March 2026' }] }, { says: 'a date is YYYY-MM-DD' }],
      [{ ...WEEKDAYS, overrides: [{ date: '2026-03-06', intervals: [{ open: '12:00', close: '11:00' }] }] }, { says: 'close must be after open' }],
      [
        { ...WEEKDAYS, overrides: [{ date: '2026-03-06', intervals: Array.from({ length: 9 }, () => ({ open: '08:00', close: '09:00' })) }] },
        { why: 'more than 8 intervals in an override' },
      ],
      [{ ...WEEKDAYS, overrides: Array.from({ length: 401 }, () => ({ date: '2026-03-06' })) }, { why: 'more than 400 overrides' }],
      [{ ...WEEKDAYS, closedAction: { type: 'voicemail' } }, { why: 'unknown closed action' }],
      [{ ...WEEKDAYS, closedAction: 'hold' }, { why: 'not the wire’s shape' }],
      [{ ...WEEKDAYS, closedAction: { type: 'overflow' } }, { why: 'overflow without a queue' }],
      [{ ...WEEKDAYS, closedAction: { type: 'overflow', queue: 'support' } }, { says: "queue 'support' overflows into itself while closed" }],
      [
        { ...WEEKDAYS, closedAction: { type: 'overflow', queue: 'nowhere' } },
        { says: "queue 'support' overflows while closed into queue 'nowhere', which the scenario does not define" },
      ],
      [{ ...WEEKDAYS, holidays: ['2026-04-03'] }, { why: 'unknown key' }],
      [{ timeZone: 'Europe/Berlin' }, { why: 'no weekly' }],
    ];
    for (const [hours, { says, why }] of bad) {
      const what = says ?? why;
      expect(() => parseScenario(withHours(hours)), what).toThrow(says);
      expect(serverRefuses(hours), what).toBe(true);
    }
  });

  it('refuses hours without a start, and a start that is not an instant with its offset', () => {
    expect(() => parseScenario(withHours(WEEKDAYS, null))).toThrow(
      "queue 'support' has hours, so the scenario needs a start (an ISO-8601 date-time with its offset, e.g. 2026-03-06T00:00:00+01:00)",
    );
    const offset = 'start is an ISO-8601 date-time with seconds and an offset';
    for (const [start, says] of [
      ['2026-03-06T00:00:00', offset],
      ['2026-03-06', offset],
      ['2026-03-06T08:00+01:00', offset],
      ['2026-02-30T00:00:00Z', offset],
      ['1969-12-31T23:00:00Z', 'start is at or after 1970-01-01T00:00:00Z'],
    ])
      expect(() => parseScenario(withHours(WEEKDAYS, start)), start).toThrow(says);
    expect(() => parseScenario({ ...withHours(WEEKDAYS), start: T0 as never })).toThrow();
  });
});

describe('hours in the simulation', () => {
  it('refuse: callers while closed are refused (QUEUE_CLOSED), never queued or answered, counted and lost, and out of the service level', () => {
    const s = parseScenario(run([queue('sales', { hours: WEEKDAYS })], [{ name: 'agents', count: 4 }]));
    const t = tracker();
    const r = simulate(s, { ordering: 'fifo', seed: 1, trace: t.trace });
    const q = r.queues.sales;
    // Only callers of open hours (Berlin time: 07:00–17:00 UTC) entered the queue, and only they were answered.
    expect(t.queued.size).toBeGreaterThan(300);
    for (const [id, x] of t.queued) expect(isOpen(x.at), id).toBe(true);
    for (const id of t.assigned.keys()) expect(t.queued.has(id), id).toBe(true);
    expect(q.answered).toBe(t.assigned.size);
    // The same callers with the queue always open: the refused are exactly those who called while it was closed.
    const always = tracker();
    const open = simulate(withoutHours(s), { ordering: 'fifo', seed: 1, trace: always.trace });
    expect(open.queues.sales.offered).toBe(q.offered);
    const closedCallers = [...always.queued.values()].filter((x) => !isOpen(x.at)).length;
    expect(closedCallers).toBeGreaterThan(1000);
    expect(q.refusedClosed).toBe(closedCallers);
    expect(q.refusedClosed).toBe(q.offered - t.queued.size);
    expect(q.answered + q.abandoned + q.refusedClosed).toBe(q.offered);
    expect(q).toMatchObject({ refused: 0, heldUntilOpen: 0, overflowedClosed: 0 });
    expect(q.pLost).toBeCloseTo((q.abandoned + q.refusedClosed) / q.offered, 12);
    // The objective applies to the callers the queue took; the waits to those who entered it.
    expect(q.serviceLevel).toBeCloseTo((q.serviceLevelOfAnswered * q.answered) / (q.offered - q.refusedClosed), 12);
    expect(q.serviceLevel).toBeGreaterThan(0.5);
    // Friday and Monday 08:00–18:00 of 96 hours.
    expect(q.openShare).toBeCloseTo(20 / 96, 12);
    expect(r.overall).toMatchObject({ refusedClosed: q.refusedClosed, openShare: q.openShare });
    expect(open.queues.sales).toMatchObject({ refusedClosed: 0, openShare: 1 });
  });

  it('hold: held work is not answered before the opening, its wait counts from then, and every held one is answered', () => {
    const email = queue('email', {
      channel: 'email',
      arrivalsPerHour: 5,
      patienceSeconds: null,
      serviceObjective: { percent: 90, thresholdSeconds: 3600 },
      hours: { ...WEEKDAYS, closedAction: { type: 'hold' } },
    });
    const agents = [{ name: 'agents', count: 4, capacity: { total: 1, channels: { email: { cost: 1, max: 1 } } } }];
    const t = tracker();
    const r = simulate(parseScenario(run([email], agents)), { ordering: 'fifo', seed: 2, trace: t.trace });
    const q = r.queues.email;
    const held = [...t.queued].filter(([, x]) => x.notBefore !== undefined);
    expect(held.length).toBeGreaterThan(250);
    expect(q.heldUntilOpen).toBe(held.length);
    for (const [id, x] of t.queued) {
      // Held exactly when it came while closed, until the next opening.
      expect(x.notBefore, id).toBe(isOpen(x.at) ? undefined : nextOpening(x.at));
      expect(x.queue).toBe('email');
    }
    for (const [id, x] of held) expect(t.assigned.get(id)!.at, id).toBeGreaterThanOrEqual(x.notBefore!);
    expect(q.answered).toBe(q.offered);
    expect(q).toMatchObject({ refusedClosed: 0, overflowedClosed: 0, abandoned: 0 });
    // The wait counts from the opening for held work, from the arrival for the rest.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length / 1000;
    const waits = [...t.assigned].map(([id, a]) => a.at - (t.queued.get(id)!.notBefore ?? t.queued.get(id)!.at));
    expect(q.asa).toBeCloseTo(mean(waits), 6);
    const sinceArrival = mean([...t.assigned].map(([id, a]) => a.at - t.queued.get(id)!.at));
    expect(q.asa).toBeLessThan(sinceArrival / 4);
  });

  it('hold: the run goes on until work held past the end is answered, however long after', () => {
    // Ends Friday 20:00; what comes after 18:00 is held until Monday 08:00, 60 hours after the end.
    const email = queue('email', { channel: 'email', patienceSeconds: null, hours: { ...WEEKDAYS, closedAction: { type: 'hold' } } });
    const agents = [{ name: 'agents', count: 3, capacity: { total: 1, channels: { email: { cost: 1, max: 1 } } } }];
    const t = tracker();
    const r = simulate(parseScenario(run([email], agents, 20)), { ordering: 'fifo', seed: 3, trace: t.trace });
    const late = [...t.queued].filter(([, x]) => x.notBefore === T0 + 80 * H);
    expect(late.length).toBeGreaterThan(10);
    for (const [id] of late) expect(t.assigned.get(id)!.at, id).toBeGreaterThanOrEqual(T0 + 80 * H);
    expect(r.queues.email.answered).toBe(r.queues.email.offered);
  });

  it('overflow: work that comes while closed enters the target queue and is answered there, counted where it called', () => {
    const s = parseScenario(
      run(
        [queue('support', { hours: { ...WEEKDAYS, closedAction: { type: 'overflow', queue: 'after-hours' } } }), queue('after-hours', { arrivalsPerHour: 0 })],
        [
          { name: 'day', count: 4, queues: { support: {} } },
          { name: 'night', count: 3, queues: { 'after-hours': {} } },
        ],
      ),
    );
    const t = tracker();
    const r = simulate(s, { ordering: 'fifo', seed: 4, trace: t.trace });
    const overflowed = [...t.queued].filter(([, x]) => x.queue === 'after-hours');
    expect(overflowed.length).toBeGreaterThan(500);
    for (const [id, x] of t.queued) expect(x.queue, id).toBe(isOpen(x.at) ? 'support' : 'after-hours');
    // Answered by the target queue's agents, as its work.
    let answeredThere = 0;
    for (const [id] of overflowed) {
      const a = t.assigned.get(id);
      if (a === undefined) continue; // abandoned
      answeredThere++;
      expect(a.queue, id).toBe('after-hours');
      expect(a.agentId.startsWith('night-'), a.agentId).toBe(true);
    }
    expect(answeredThere).toBeGreaterThan(overflowed.length * 0.8);
    for (const [id, a] of t.assigned) if (t.queued.get(id)!.queue === 'support') expect(a.agentId.startsWith('day-'), a.agentId).toBe(true);
    // Counted in support, the queue they called.
    const q = r.queues.support;
    expect(q.overflowedClosed).toBe(overflowed.length);
    expect(q.offered).toBe(t.queued.size);
    expect(q.answered).toBe(t.assigned.size);
    expect(q.answered + q.abandoned).toBe(q.offered);
    expect(q).toMatchObject({ refusedClosed: 0, heldUntilOpen: 0, overflowedByRule: 0 });
    expect(r.queues['after-hours']).toMatchObject({ offered: 0, overflowedClosed: 0, openShare: 1 });
    expect(r.overall.overflowedClosed).toBe(q.overflowedClosed);
  });

  it('overflow into a queue closed too meets that queue’s closed action: held there, or refused', () => {
    const chain = (closedAction: unknown) =>
      parseScenario(
        run(
          [
            queue('support', { hours: { ...WEEKDAYS, closedAction: { type: 'overflow', queue: 'backlog' } } }),
            queue('backlog', { arrivalsPerHour: 0, patienceSeconds: null, hours: { ...WEEKDAYS, closedAction } }),
          ],
          [{ name: 'agents', count: 4 }],
          24,
        ),
      );
    const t = tracker();
    const held = simulate(chain({ type: 'hold' }), { ordering: 'fifo', seed: 5, trace: t.trace }).queues.support;
    const closed = [...t.queued.values()].filter((x) => !isOpen(x.at));
    expect(closed.length).toBeGreaterThan(50);
    for (const x of closed) expect(x).toMatchObject({ queue: 'backlog', notBefore: nextOpening(x.at) });
    expect(held).toMatchObject({ overflowedClosed: closed.length, heldUntilOpen: closed.length, refusedClosed: 0 });
    const refused = simulate(chain({ type: 'refuse' }), { ordering: 'fifo', seed: 5 }).queues.support;
    expect(refused).toMatchObject({ overflowedClosed: 0, heldUntilOpen: 0, refusedClosed: closed.length, offered: held.offered });
  });
});

describe('scenarios/hours.json', () => {
  it('crosses closings: support overflows, email is held, sales refuses; always open with --no-hours', () => {
    const s = parseScenario(scenarioFile('hours.json'));
    expect(engineTakes(scenarioFile('hours.json'))).toBe(true);
    expect(s.queues.filter((q) => q.hours !== null).map((q) => [q.id, q.hours?.closedAction?.type ?? 'refuse'])).toEqual([
      ['support', 'overflow'],
      ['sales', 'refuse'],
      ['email', 'hold'],
    ]);
    const r = simulate(s, { ordering: 'service-objective', seed: 1 });
    const { support, sales, email } = r.queues;
    expect(support.overflowedClosed).toBeGreaterThan(0);
    expect(sales.refusedClosed).toBeGreaterThan(0);
    expect(email.heldUntilOpen).toBeGreaterThan(0);
    expect(email.answered).toBe(email.offered);
    // Friday and Monday 08:00–18:00 of the 95.5 measured hours; sales 09:00–17:00.
    expect(support.openShare).toBeCloseTo(20 / 95.5, 12);
    expect(sales.openShare).toBeCloseTo(16 / 95.5, 12);
    expect(r.overall.openShare).toBe(1); // after-hours is always open
    const off = simulate(withoutHours(s), { ordering: 'service-objective', seed: 1 });
    expect(off.queues.email.offered).toBe(email.offered);
    for (const q of Object.values(off.queues)) expect(q).toMatchObject({ refusedClosed: 0, heldUntilOpen: 0, overflowedClosed: 0, openShare: 1 });
  });
});
