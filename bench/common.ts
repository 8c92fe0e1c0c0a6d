/** Shared helpers for benchmarks: environment header, percentiles, a seeded PRNG, CLI flags. */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';

export function environment(): { git: string; node: string; cpu: string; cores: number } {
  let git = 'unknown';
  try {
    git = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // not a git checkout
  }
  const c = cpus();
  return { git, node: process.version, cpu: c[0]?.model ?? 'unknown', cores: c.length };
}

/** Percentile (0–100) of an unsorted sample, nearest rank. */
export function percentile(sample: Float64Array | number[], p: number): number {
  const s = Float64Array.from(sample).sort();
  if (s.length === 0) return Number.NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export { prng } from '../src/sim/random.ts';

/** Reads numeric flags of `args`: a flag's value as a number, or `d` when it is absent. */
export function numbers(args: ReadonlyMap<string, string>): (k: string, d: number) => number {
  return (k, d) => Number(args.get(k) ?? d);
}

/** Parses `--name value` and `--flag` arguments. */
export function flags(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), 'true');
  }
  return out;
}

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc (npm run bench:engine does)');
  g();
  g();
}
