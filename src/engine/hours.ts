/**
 * Hours of operation (`QueueSpec.hours`): whether a queue is open at an instant, and when it next
 * opens or closes. Pure and deterministic: the engine gives epoch milliseconds; the time zone's
 * rules come from the runtime's time-zone data (Intl), read through one cached formatter per zone.
 *
 * A week of local opening intervals (`weekly`: days 0 = Sunday … 6 = Saturday, `open` and `close`
 * as `HH:MM`, `close` after `open`, `24:00` for midnight at the end of the day), and dated
 * `overrides` that replace a local date's intervals (none: closed all day). A local time that
 * does not exist (in a spring-forward gap) is read with the offset before the gap: 02:30 on the
 * night Paris moves from 02:00 to 03:00 is 03:30.
 */

import type { Queue } from './entities.ts';
import type { HoursInterval, HoursSpec } from './types.ts';

export type { HoursInterval, HoursOverride, HoursSpec, WeeklyHours } from './types.ts';

const DAY_MS = 86_400_000;
/** How far ahead of now the next opening or closing is looked for (days). */
const HORIZON_DAYS = 14;
/** Overflow hops a closed queue's submission may take (closedAction overflow). */
const MAX_HOPS = 4;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Is `tz` a time zone this runtime knows? */
export function knownTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** `HH:MM` (00:00–24:00) as minutes after midnight; NaN when malformed. */
export function minutesOf(hhmm: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  if (m === null) return Number.NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return Number.NaN;
  return h * 60 + min;
}

/** The zone's offset from UTC at instant `t` (ms; local = UTC + offset). */
function offsetAt(tz: string, t: number): number {
  const parts = formatter(tz).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(t / 1000) * 1000;
}

/**
 * The instant of local wall time `localMs` (ms since the epoch, read as local). A wall time that
 * occurs twice (the hour repeated when clocks go back) is its first occurrence; one that does not
 * occur (in a spring-forward gap) is read with the offset before the gap. Offsets change at most
 * once within a day either side, as in every zone's rules.
 */
function instantOf(tz: string, localMs: number): number {
  const before = offsetAt(tz, localMs - DAY_MS);
  const after = offsetAt(tz, localMs + DAY_MS);
  if (before === after) return localMs - before;
  // Before the change, or the first of a repeated hour: the earlier offset shows this wall time.
  if (offsetAt(tz, localMs - before) === before) return localMs - before;
  if (offsetAt(tz, localMs - after) === after) return localMs - after;
  return localMs - before; // in the gap
}

/** The local date (as days since the epoch) and its day of week at instant `t`. */
function localDay(tz: string, t: number): number {
  return Math.floor((t + offsetAt(tz, t)) / DAY_MS);
}

/** Days since the epoch as a proleptic Gregorian date, YYYY-MM-DD (H. Hinnant's civil_from_days). */
export function civilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The opening intervals of local day `day` (days since the epoch), as [open, close) instants. */
function intervalsOn(h: HoursSpec, day: number): [number, number][] {
  const date = civilDate(day);
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const override = h.overrides?.find((o) => o.date === date);
  const list: readonly HoursInterval[] = override !== undefined ? (override.intervals ?? []) : h.weekly.filter((w) => w.days.includes(weekday));
  const out: [number, number][] = [];
  for (const i of list) {
    const open = instantOf(h.timeZone, day * DAY_MS + minutesOf(i.open) * 60_000);
    const close = instantOf(h.timeZone, day * DAY_MS + minutesOf(i.close) * 60_000);
    if (close > open) out.push([open, close]);
  }
  return out;
}

/**
 * Is the queue open at `t`, and until when does that last (the next opening when closed, the
 * next closing when open; +∞ when it never changes within the horizon)?
 */
export function openAt(h: HoursSpec, t: number): { open: boolean; until: number } {
  const today = localDay(h.timeZone, t);
  // Intervals from yesterday (one may run past midnight's instant) to the horizon, in order.
  const spans: [number, number][] = [];
  for (let d = today - 1; d <= today + HORIZON_DAYS; d++) spans.push(...intervalsOn(h, d));
  spans.sort((a, b) => a[0] - b[0]);
  // Merge touching and overlapping intervals (24:00 of one day and 00:00 of the next).
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  for (const [open, close] of merged) {
    if (t < open) return { open: false, until: open };
    if (t < close) return { open: true, until: close };
  }
  return { open: false, until: Number.POSITIVE_INFINITY };
}

/** Is `q` open at `now`? Worked out again only when its last answer runs out (O(1) between changes). */
export function queueOpen(q: Queue, now: number): boolean {
  if (q.hours === null) return true;
  // With no change in reach the answer holds for this instant only: a later look reaches further
  // (an override may come in reach), and no answer may depend on when the queue was last asked
  // (a query is not journaled, so a replay would not ask it).
  if (now >= q.hoursUntil || now < q.hoursFrom || (q.hoursUntil === Number.POSITIVE_INFINITY && now !== q.hoursFrom)) {
    const { open, until } = openAt(q.hours, now);
    q.hoursOpen = open;
    q.hoursUntil = until;
    q.hoursFrom = now;
  }
  return q.hoursOpen;
}

/** How long the schedule is closed between `from` and `to` (ms): opening and closing by opening and closing. */
export function closedMsBetween(h: HoursSpec, from: number, to: number): number {
  let closed = 0;
  let t = from;
  // Two changes a day at most per interval: a cap that a wait of years would still not reach.
  for (let i = 0; i < 10_000 && t < to; i++) {
    const { open, until } = openAt(h, t);
    const end = Math.min(until, to);
    if (!open) closed += end - t;
    t = end;
  }
  return closed;
}

/**
 * Where a submission to `q` goes at `now` under the queues' hours: the queue it enters and until
 * when it is held (0: not held), or null when it is refused (QUEUE_CLOSED). A closed queue's
 * `closedAction` applies; an overflow target applies its own hours, at most four hops.
 */
export function entryUnderHours(q: Queue, queues: ReadonlyMap<string, Queue>, now: number): { queue: Queue; holdUntil: number } | null {
  let at: Queue | undefined = q;
  // The queue asked for, then at most four overflow hops.
  for (let hop = 0; hop <= MAX_HOPS && at !== undefined; hop++) {
    if (queueOpen(at, now)) return { queue: at, holdUntil: 0 };
    const action = at.hours!.closedAction ?? { type: 'refuse' };
    if (action.type === 'refuse') return null;
    if (action.type === 'hold') return Number.isFinite(at.hoursUntil) ? { queue: at, holdUntil: at.hoursUntil } : null;
    at = queues.get(action.queue);
  }
  return null;
}
