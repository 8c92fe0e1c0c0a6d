import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The benchmark is a figure, not a test: this only checks it still runs end to end in both
// encodings, routes what it says it routed (no frame refused, every submission but the last
// turns' completed) and reports every field it promises, on a tiny run.
const root = join(import.meta.dirname, '../..');

describe('npm run bench:shell', () => {
  it.each(['json', 'msgpack'])('--json prints the server share per routed interaction (%s)', (encoding) => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/shell.ts', '--json', '--agents', '200', '--routed', '3000', '--batch', '20', '--encoding', encoding],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const k of ['usPerRouted', 'clientUsPerRouted', 'wallUsPerRouted', 'heapMb', 'codecFloorUsPerRouted', 'usAboveCodecFloor', 'engineUsPerRouted'])
      expect(typeof out[k], k).toBe('number');
    expect(out.encoding).toBe(encoding);
    expect(out.refusedFrames).toBe(0);
    expect(out.routed).toBeGreaterThanOrEqual(3000);
    // Warm-up (a tenth) and the measured part completed; at most two turns' submissions are still live.
    expect(out.completed).toBeGreaterThanOrEqual(out.routed);
    expect(out.usPerRouted).toBeGreaterThan(0);
    expect(out.engineUsPerRouted).toBeGreaterThan(0);
  });
});
