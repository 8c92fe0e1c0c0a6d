import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The soak benchmark, short: 50 s at 300 interactions/s over 300 agents whose desktops close and
// reconnect every 10 s on average, with the real server and a redis-server of its own, a
// snapshot every 5,000 journal entries. Only behaviour is checked, never a timing.
const root = join(import.meta.dirname, '../..');

function soak(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/soak.ts', '--json', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run bench:soak, short', () => {
  it('desktops drop and come back under load: no abnormal close, every acknowledged interaction completed, snapshots taken', async () => {
    const r = await soak([
      '--seconds',
      '50',
      '--sample-seconds',
      '10',
      '--rate',
      '300',
      '--agents',
      '300',
      '--reconnect-mean-seconds',
      '10',
      '--snapshot-every',
      '5000',
      '--seed',
      '7',
    ]);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null');
    expect(out?.failures, r.stderr).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
    expect(out.rows).toHaveLength(5);

    expect(out.abnormalCloses).toBe(0);
    expect(out.abnormalClosesServer).toBe(0);
    expect(out.serverClosesByReason).toEqual({ normal: expect.any(Number) });

    // Every acknowledged interaction ended completed, and the server agrees.
    expect(out.acked).toBeGreaterThan(10_000);
    expect(out.acked).toBe(out.submitted);
    expect(out.unaccounted).toBe(0);
    expect(out.confirmedByDesktops + out.confirmedByQuery).toBe(out.acked);
    expect(out.queueAfter).toMatchObject({ arrived: out.acked, completed: out.acked, waiting: 0, offered: 0, occupiedAgents: 0 });
    expect(out.subscriberEvents.InteractionCompleted).toBe(out.acked);
    expect(out.stuckWork).toEqual({});
    expect(out.refusals).toEqual({});

    // The desktops did drop, some with work in flight, and the resume gave it back.
    expect(out.reconnects).toBeGreaterThan(500);
    expect(out.reconnectFailures).toBe(0);
    expect(out.workAcrossReconnect).toBeGreaterThan(0);
    expect(out.offersAfterReconnect).toBeGreaterThan(0);

    expect(out.snapshots).toBeGreaterThanOrEqual(1);
    expect(out.snapshotsFailed).toBe(0);
  }, 110_000);
});
