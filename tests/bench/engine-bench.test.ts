import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The benchmark is a figure, not a test: this only checks it still runs end to end and reports
// every field it promises, on a tiny world.
const root = join(import.meta.dirname, '../..');

describe('npm run bench:engine', () => {
  it('--json prints the engine and baseline figures', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'bench/engine.ts',
        '--json',
        '--skip-small',
        '--agents',
        '300',
        '--profiles',
        '30',
        '--waiting',
        '3000',
        '--signatures',
        '100',
        '--decisions',
        '2000',
        '--baseline-decisions',
        '50',
      ],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const f of [out, out.baseline])
      for (const k of ['decisionsPerSec', 'p50Us', 'p99Us', 'agents', 'profiles', 'waitingInteractions', 'signatures', 'heapBytesPerWaitingInteraction'])
        expect(typeof f[k], k).toBe('number');
    expect(out.agents).toBe(300);
    expect(out.waitingInteractions).toBeGreaterThanOrEqual(3000);
    expect(out.decisions).toBe(2000);
    expect(out.baseline.decisions).toBe(50);
  });
});
