/** Times and durations as a person reads them at a glance: `4s`, `3m05s`, `2h10m`, `2026-12-06 23:14:05Z`. */

/** A duration in milliseconds: under 10 s with a decimal, else the two largest units. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const neg = ms < 0 ? '-' : '';
  let s = Math.abs(ms) / 1000;
  if (s < 10) return `${neg}${s < 1 ? Math.round(s * 1000) / 1000 : Math.round(s * 10) / 10}s`;
  s = Math.floor(s);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${neg}${d}d${two(h)}h`;
  if (h > 0) return `${neg}${h}h${two(m)}m`;
  if (m > 0) return `${neg}${m}m${two(sec)}s`;
  return `${neg}${sec}s`;
}

/** An epoch time in UTC, to the second (`withMs`: to the millisecond). */
export function clock(epochMs: number | null | undefined, withMs = false): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '-';
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withMs ? 23 : 19)}Z`;
}

/** A ratio as a percentage with one decimal; `-` when there is none. */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '-' : `${Math.round(ratio * 1000) / 10}%`;
}
