/** One event of the feed on one line: `#seq  time  Type  key=value …` (the JSON output has it whole). */
import { clock } from './units.ts';

const LEFT_OUT = new Set(['seq', 'type', 'at']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

export function eventLine(e: Record<string, unknown>, maxDetail = 240): string {
  const detail = Object.entries(e)
    .filter(([k, v]) => !LEFT_OUT.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const cut = detail.length > maxDetail ? `${detail.slice(0, maxDetail - 1)}…` : detail;
  return `#${String(e.seq)}  ${clock(e.at as number, true)}  ${String(e.type)}  ${cut}`.trimEnd();
}
