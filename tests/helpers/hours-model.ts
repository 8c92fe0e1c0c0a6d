/**
 * A second reading of hours of operation (docs/engine.md, Hours of operation) for the reference
 * model, written apart from src/engine/hours.ts: a zone's offset comes from Intl's `longOffset`
 * name, local dates and weekdays from Date's UTC calendar, and a wall time is turned into an
 * instant by trying the offsets in force a day before and a day after it.
 *
 * As the docs say, a wall time the zone repeats (the hour a clock goes back) is its first
 * occurrence, and one the zone skips (the hour a clock goes forward) is read with the offset
 * before the gap. A boundary is kept as a span of instants (one instant here), and a question
 * whose answer depends on where in a span it falls has no answer (null) and checks nothing. The
 * generated worlds also have dated overrides past the engine's two-week horizon, which it must
 * see once they come within reach (SWITCHBOARD_HOURS_STRICT=0 leaves them out).
 */
import type { HoursInterval, HoursSpec } from '../../src/index.ts';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** Check the docs' reading of skipped wall times, and generate overrides past the two-week horizon. */
export const HOURS_STRICT = process.env.SWITCHBOARD_HOURS_STRICT !== '0';

/** The instants a wall time may stand for: one (lo = hi), or a span where the docs leave it open. */
export interface Span {
  lo: number;
  hi: number;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at instant `t` in ms (local = UTC + offset), from its `GMT±hh:mm` name. */
export function zoneOffset(tz: string, t: number): number {
  let f = offsetFormats.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    offsetFormats.set(tz, f);
  }
  const name = f.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(name);
  if (m === null) throw new Error(`unexpected zone name ${name} for ${tz}`);
  return m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * MINUTE_MS;
}

/** The local date at `t` as days since 1970-01-01. */
export function localDay(tz: string, t: number): number {
  return Math.floor((t + zoneOffset(tz, t)) / DAY_MS);
}

/** Minutes after local midnight at `t` (whole minutes). */
export function localMinute(tz: string, t: number): number {
  const wall = t + zoneOffset(tz, t);
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / MINUTE_MS);
}

/** YYYY-MM-DD of a day number. */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 of a day number. */
export function weekday(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

/** `HH:MM` of minutes after midnight, 1440 as 24:00. */
export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function minutesOf(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return h * 60 + m;
}

/** The instants at which the clocks of `tz` show the wall time `wall` (ms, the local time read as UTC). */
export function wallInstants(tz: string, wall: number): Span {
  const before = zoneOffset(tz, wall - DAY_MS);
  const after = zoneOffset(tz, wall + DAY_MS);
  const fits = [...new Set([before, after])].map((o) => wall - o).filter((t) => t + zoneOffset(tz, t) === wall);
  // Repeated (the hour clocks go back): the docs read it as its first occurrence.
  if (fits.length > 0) return { lo: Math.min(...fits), hi: Math.min(...fits) };
  // Skipped: the docs read it with the offset before the gap.
  const docs = wall - before;
  return { lo: docs, hi: docs };
}

interface ModelInterval {
  open: Span;
  close: Span;
}

const byDay = new WeakMap<HoursSpec, Map<number, ModelInterval[]>>();

/** The opening intervals of local date `day`: its override's if it has one, else the week's for its weekday. */
function intervalsOn(h: HoursSpec, day: number): ModelInterval[] {
  let cache = byDay.get(h);
  if (cache === undefined) {
    cache = new Map();
    byDay.set(h, cache);
  }
  const hit = cache.get(day);
  if (hit !== undefined) return hit;
  const date = isoDate(day);
  const override = (h.overrides ?? []).find((o) => o.date === date);
  const list: readonly HoursInterval[] = override ? (override.intervals ?? []) : h.weekly.filter((w) => w.days.includes(weekday(day)));
  const out = list.map((i) => ({
    open: wallInstants(h.timeZone, day * DAY_MS + minutesOf(i.open) * MINUTE_MS),
    close: wallInstants(h.timeZone, day * DAY_MS + minutesOf(i.close) * MINUTE_MS),
  }));
  cache.set(day, out);
  return out;
}

/**
 * Is a queue with hours `h` open at `t`: within [open, close) of some interval? Null when `t` falls
 * where an open or close the docs leave uncertain could put it either side. A local date's
 * intervals lie within 15 hours of its UTC date, so three dates around `t` are enough.
 */
export function openAt(h: HoursSpec, t: number): boolean | null {
  const d = Math.floor(t / DAY_MS);
  let unsure = false;
  for (let day = d - 1; day <= d + 1; day++)
    for (const i of intervalsOn(h, day)) {
      if (i.open.hi <= t && t < i.close.lo) return true;
      if (!(t < i.open.lo || t >= i.close.hi)) unsure = true;
    }
  return unsure ? null : false;
}

/**
 * When a queue closed at `t` next opens: an instant; 'none' when it never opens within `days`
 * days; 'unsure' when its first opening is one the docs leave uncertain. Intervals that may be
 * empty (a close not after its open, as on the night clocks go forward) open nothing.
 */
export function nextOpening(h: HoursSpec, t: number, days: number): number | 'none' | 'unsure' {
  const d = Math.floor(t / DAY_MS);
  let first: ModelInterval | null = null;
  for (let day = d - 1; day <= d + days + 1; day++)
    for (const i of intervalsOn(h, day)) {
      if (i.close.hi <= i.open.lo || i.open.hi <= t) continue;
      if (first === null || i.open.lo < first.open.lo) first = i;
    }
  if (first === null) return 'none';
  const sure = first.open.lo === first.open.hi && first.open.lo > t && first.close.lo > first.open.hi;
  return sure ? first.open.lo : 'unsure';
}

/** The first instant after `t` at which an open or close (either end of its span) falls, within `days` days; null if none. */
export function nextBoundary(h: HoursSpec, t: number, days: number): number | null {
  const d = Math.floor(t / DAY_MS);
  let best: number | null = null;
  for (let day = d - 1; day <= d + days + 1; day++)
    for (const i of intervalsOn(h, day)) for (const x of [i.open.lo, i.open.hi, i.close.lo, i.close.hi]) if (x > t && (best === null || x < best)) best = x;
  return best;
}
