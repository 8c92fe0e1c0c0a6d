import { describe, expect, it } from 'vitest';
import { civilDate, knownTimeZone, minutesOf, openAt, type HoursSpec } from '../../src/engine/hours.ts';
import { Engine } from '../../src/index.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { Harness } from '../helpers/harness.ts';

const weekdays9to17: HoursSpec = { timeZone: 'Europe/Paris', weekly: [{ days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' }] };
const utc = (s: string) => Date.parse(`${s}Z`);

describe('hours of operation (pure time-zone arithmetic)', () => {
  it('civil dates and HH:MM parse as expected', () => {
    expect(civilDate(0)).toBe('1970-01-01');
    expect(civilDate(Math.floor(utc('2026-12-06T12:00:00') / 86_400_000))).toBe('2026-12-06');
    expect(civilDate(Math.floor(utc('2024-02-29T00:00:00') / 86_400_000))).toBe('2024-02-29');
    expect(minutesOf('09:30')).toBe(570);
    expect(minutesOf('24:00')).toBe(1440);
    expect(minutesOf('24:01')).toBeNaN();
    expect(minutesOf('9:30')).toBeNaN();
    expect(knownTimeZone('Europe/Paris')).toBe(true);
    expect(knownTimeZone('Mars/Olympus')).toBe(false);
  });

  it('is open on a weekday in the zone, closed at the weekend, with the next change', () => {
    // Monday 7 December 2026, 10:00 in Paris (UTC+1) is 09:00 UTC.
    expect(openAt(weekdays9to17, utc('2026-12-07T09:00:00'))).toEqual({ open: true, until: utc('2026-12-07T16:00:00') });
    expect(openAt(weekdays9to17, utc('2026-12-07T07:59:59'))).toEqual({ open: false, until: utc('2026-12-07T08:00:00') });
    // Saturday: closed until Monday 09:00 Paris.
    expect(openAt(weekdays9to17, utc('2026-12-05T12:00:00'))).toEqual({ open: false, until: utc('2026-12-07T08:00:00') });
  });

  it('follows daylight saving time, and dated overrides replace a day', () => {
    // 30 March 2026 (Monday) Paris is UTC+2: 09:00 local = 07:00 UTC.
    expect(openAt(weekdays9to17, utc('2026-03-30T06:59:00')).until).toBe(utc('2026-03-30T07:00:00'));
    const holiday: HoursSpec = {
      ...weekdays9to17,
      overrides: [{ date: '2026-12-25' }, { date: '2026-12-24', intervals: [{ open: '09:00', close: '12:00' }] }],
    };
    expect(openAt(holiday, utc('2026-12-24T10:00:00'))).toEqual({ open: true, until: utc('2026-12-24T11:00:00') });
    // Christmas (Friday) closed: from Thursday noon to Monday 28th 09:00.
    expect(openAt(holiday, utc('2026-12-24T11:00:00'))).toEqual({ open: false, until: utc('2026-12-28T08:00:00') });
  });

  it('reads a wall time in a gap with the offset before it, and a repeated one as its first occurrence, east and west of UTC', () => {
    const opensAt = (timeZone: string, day: number, at: string, open: string) =>
      openAt({ timeZone, weekly: [{ days: [day], open, close: '23:00' }] }, utc(at)).until;
    // Spring forward: 02:30 does not exist; read with the offset before the gap (03:30 summer time).
    expect(opensAt('Europe/Paris', 0, '2026-03-28T12:00:00', '02:30')).toBe(utc('2026-03-29T01:30:00'));
    expect(opensAt('America/New_York', 0, '2024-03-09T12:00:00', '02:30')).toBe(utc('2024-03-10T07:30:00'));
    // Fall back: the repeated hour is read as its first occurrence (still summer time).
    expect(opensAt('Europe/Berlin', 0, '2026-10-24T12:00:00', '02:30')).toBe(utc('2026-10-25T00:30:00'));
    expect(opensAt('America/New_York', 0, '2026-10-31T12:00:00', '01:30')).toBe(utc('2026-11-01T05:30:00'));
  });

  it('joins a day that ends at 24:00 to the next that opens at 00:00', () => {
    const allWeek: HoursSpec = { timeZone: 'UTC', weekly: [{ days: [0, 1, 2, 3, 4, 5, 6], open: '00:00', close: '24:00' }] };
    expect(openAt(allWeek, utc('2026-12-07T12:00:00')).open).toBe(true);
    expect(openAt(allWeek, utc('2026-12-07T12:00:00')).until).toBeGreaterThan(utc('2026-12-20T00:00:00'));
    expect(openAt({ timeZone: 'UTC', weekly: [] }, 0)).toEqual({ open: false, until: Number.POSITIVE_INFINITY });
  });
});

describe('a queue with hours of operation (QueueSpec.hours)', () => {
  const monday18 = utc('2026-12-07T17:00:00'); // 18:00: closed until Tuesday 09:00
  const tuesday9 = utc('2026-12-08T08:00:00');
  const week = weekdays9to17.weekly;

  it('refuses while closed (QUEUE_CLOSED, nothing created), takes work while open', () => {
    const h = new Harness().queue('sales', { hours: { timeZone: 'Europe/Paris', weekly: week } }).agent('a1');
    h.at(monday18).rejects({ type: 'SubmitInteraction', interaction: { id: 'late', channel: 'voice', queue: 'sales' } }, 'QUEUE_CLOSED');
    expect(h.engine.interaction('late')).toBeNull();
    expect(h.engine.queueStats('sales')!.open).toBe(false);
    h.at(tuesday9);
    expect(h.types(h.submit('early', { queue: 'sales' }))).toContain('InteractionOffered');
    expect(h.engine.queueStats('sales')!.open).toBe(true);
  });

  it('holds until it opens (the wait counts from then), or overflows to a queue that is open', () => {
    const h = new Harness()
      .queue('night', {})
      .queue('sales', { hours: { timeZone: 'Europe/Paris', weekly: week, closedAction: { type: 'hold' } } })
      .queue('support', { hours: { timeZone: 'Europe/Paris', weekly: week, closedAction: { type: 'overflow', queue: 'night' } } })
      .at(monday18);
    const held = h.submit('cb', { queue: 'sales' });
    expect(held.find((e) => e.type === 'InteractionQueued')).toMatchObject({ queueId: 'sales', notBefore: tuesday9 });
    expect(h.submit('over', { queue: 'support' }).find((e) => e.type === 'InteractionQueued')).toMatchObject({ queueId: 'night' });
    h.agent('a1', { queues: { sales: {} } });
    expect(h.types(h.tick(tuesday9))).toContain('InteractionOffered');
  });

  it('explains held work as queue_closed until the queue opens; a notBefore of its own stays not_before', () => {
    const h = new Harness()
      .queue('sales', { hours: { timeZone: 'Europe/Paris', weekly: week, closedAction: { type: 'hold' } } })
      .queue('q')
      .agent('a1', { queues: { q: {} } })
      .at(monday18);
    h.submit('cb', { queue: 'sales' });
    h.submit('later', { queue: 'q', notBefore: tuesday9 });
    const reasons = (id: string) => h.engine.explain(id)!.agents[0].reasons;
    expect(reasons('cb')).toContainEqual({ reason: 'queue_closed', queue: 'sales', opensAt: tuesday9 });
    expect(reasons('later')).toContainEqual({ reason: 'not_before', until: tuesday9 });
    expect(reasons('later').some((r) => r.reason === 'queue_closed')).toBe(false);
  });

  it('pauseServiceLevel leaves the time closed out of a wait against the objective', () => {
    const hours = { timeZone: 'Europe/Paris', weekly: week };
    const objective = { percent: 80, thresholdMs: 60_000 };
    const h = new Harness()
      .queue('paused', { serviceObjective: objective, hours: { ...hours, pauseServiceLevel: true } })
      .queue('plain', { serviceObjective: objective, hours })
      .at(utc('2026-12-07T15:59:30')); // 16:59:30 in Paris: open for 30 s more
    h.submit('p1', { queue: 'paused' });
    h.submit('p2', { queue: 'plain' });
    // Answered 20 s after Tuesday's opening: 50 s of open wait, but 15 h of wall-clock wait.
    h.at(tuesday9 + 20_000);
    h.agent('a1', { queues: { paused: {} } }).agent('a2', { queues: { plain: {} } });
    h.acceptOffer('p1');
    h.acceptOffer('p2');
    const assigned = h.log.filter((e) => e.type === 'InteractionAssigned');
    expect(assigned.map((e) => [e.interactionId, e.type === 'InteractionAssigned' && e.withinObjective])).toEqual([
      ['p1', true],
      ['p2', false],
    ]);
    expect(h.engine.queueStats('paused')!.answeredWithinThreshold).toBe(1);
    expect(h.engine.queueStats('plain')!.answeredWithinThreshold).toBe(0);
    h.rejects({ type: 'UpsertQueue', queue: { id: 'plain', hours: { ...hours, pauseServiceLevel: 'yes' } as never } }, 'INVALID_ARGUMENT');
  });

  it('looks again for an opening beyond two weeks as days pass, and overflows through at most four hops', () => {
    const h = new Harness()
      .queue('q', {
        hours: {
          timeZone: 'UTC',
          weekly: [],
          overrides: [{ date: '2026-12-27', intervals: [{ open: '09:00', close: '17:00' }] }],
          closedAction: { type: 'hold' },
        },
      })
      .at(utc('2026-12-07T12:00:00'));
    expect(h.engine.queueStats('q')!.open).toBe(false);
    // 13 days later the override opening is within the horizon: held until then, not refused.
    h.at(utc('2026-12-20T12:00:00'));
    expect(h.submit('x', { queue: 'q' }).find((e) => e.type === 'InteractionQueued')).toMatchObject({ notBefore: utc('2026-12-27T09:00:00') });
    const closed = { timeZone: 'UTC', weekly: [] };
    const chain = new Harness().queue('q4');
    for (const [id, to] of [
      ['q3', 'q4'],
      ['q2', 'q3'],
      ['q1', 'q2'],
      ['q0', 'q1'],
    ])
      chain.queue(id, { hours: { ...closed, closedAction: { type: 'overflow', queue: to } } });
    expect(chain.submit('far', { queue: 'q0' }).find((e) => e.type === 'InteractionQueued')).toMatchObject({ queueId: 'q4' });
    chain.queue('q5', { hours: { ...closed, closedAction: { type: 'overflow', queue: 'q0' } } });
    chain.rejects({ type: 'SubmitInteraction', interaction: { id: 'too-far', channel: 'voice', queue: 'q5' } }, 'QUEUE_CLOSED');
  });

  it('is refused when malformed, and read back and restored as written', async () => {
    const h = new Harness().queue('sales').queue('other');
    const bad = (hours: unknown, code = 'INVALID_ARGUMENT') => h.rejects({ type: 'UpsertQueue', queue: { id: 'sales', hours } as never }, code);
    bad({ timeZone: 'Mars/Olympus', weekly: week });
    bad({ timeZone: 'UTC', weekly: [{ days: [1], open: '17:00', close: '09:00' }] });
    bad({ timeZone: 'UTC', weekly: [{ days: [7], open: '09:00', close: '17:00' }] });
    bad({ timeZone: 'UTC', weekly: [], overrides: [{ date: '7 Dec' }] });
    bad({ timeZone: 'UTC', weekly: [], closedAction: { type: 'overflow', queue: 'sales' } });
    bad({ timeZone: 'UTC', weekly: [], closedAction: { type: 'overflow', queue: 'nope' } }, 'UNKNOWN_QUEUE');
    const hours = { timeZone: 'Europe/Paris', weekly: week, overrides: [{ date: '2026-12-25' }], closedAction: { type: 'overflow' as const, queue: 'other' } };
    h.ok({ type: 'UpsertQueue', queue: { id: 'sales', hours } });
    expect(h.engine.configuration()!.queues!.find((q) => q.id === 'sales')!.hours).toEqual(hours);
    h.rejects({ type: 'RemoveQueue', queueId: 'other' }, 'QUEUE_IN_USE');
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(h.engine.snapshot())));
    expect(restored.configuration()!.queues!.find((q) => q.id === 'sales')!.hours).toEqual(hours);
  });
});
