/** Child processes of the benchmarks: free ports, a redis-server of their own, /proc figures. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every child process, killed when this one ends however it ends (no orphans on failure). */
export const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));
process.on('uncaughtException', (e) => {
  console.error(e);
  process.exit(1);
});

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** CPU time used so far and resident memory of a process, from /proc. */
export function procStats(pid: number): { cpuMs: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: (ticks * 1000) / 100, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN };
}

const SYSCALLS = ['sendto', 'recvfrom', 'write', 'writev', 'read', 'epoll_pwait'] as const;

/**
 * Counts a process's socket system calls from now until `stop()`, with `perf stat` on the
 * kernel's syscall tracepoints (Debian's linux-perf). Where perf or the tracepoints are missing,
 * every count is NaN.
 */
export function countSyscalls(pid: number): { stop: () => Promise<Record<(typeof SYSCALLS)[number], number>> } {
  let out = '';
  let proc: ChildProcess | null = null;
  try {
    proc = spawn('perf', ['stat', '-x', ',', '-e', SYSCALLS.map((c) => `syscalls:sys_enter_${c}`).join(','), '-p', String(pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.on('error', () => undefined);
    proc.stderr!.on('data', (d) => (out += String(d)));
    children.add(proc);
  } catch {
    proc = null;
  }
  return {
    stop: async () => {
      if (proc && proc.exitCode === null) {
        const exited = new Promise((r) => proc!.once('exit', r));
        proc.kill('SIGINT');
        await exited;
      }
      const counts = Object.fromEntries(SYSCALLS.map((c) => [c, Number.NaN])) as Record<(typeof SYSCALLS)[number], number>;
      for (const line of out.split('\n')) {
        const [value, , event] = line.split(',');
        const name = event?.replace('syscalls:sys_enter_', '') as (typeof SYSCALLS)[number];
        if (name in counts) counts[name] = Number(value);
      }
      return counts;
    },
  };
}

/** A redis-server of the benchmark's own, append-only, in a temporary directory. */
export async function startRedis(appendfsync: string): Promise<{ url: string; port: number; stop: () => void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-redis-'));
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', appendfsync, '--save', ''],
    { stdio: 'ignore' },
  );
  children.add(proc);
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.end();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => proc.kill('SIGKILL') };
}

/** Polls the server's /readyz (or another path) until it answers 200. */
export async function waitReady(port: number, path = '/readyz', timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`server not ready in ${timeoutMs} ms`);
}
