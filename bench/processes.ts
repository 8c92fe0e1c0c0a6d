/**
 * Child processes of the benchmarks: load generators forked with an IPC channel, free ports, a
 * redis-server of their own, /proc figures.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** Node flags that make a child run TypeScript through tsx when this file runs as TypeScript. */
export const tsx = ext === '.ts' ? ['--import', 'tsx'] : [];
/** The path of a file relative to bench/, as source (.ts) or built (.js) like this file. */
export const benchPath = (name: string) => `${here}${name}${ext}`;

/** Every child process, killed when this one ends however it ends (no orphans on failure). */
export const children = new Set<ChildProcess>();
/** The redis-servers' data directories (their AOF reaches tens of MB a run), removed at the end. */
const scratch = new Set<string>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));
process.on('uncaughtException', (e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Node flags of the load generators: they share two cores with the server, so one GC thread each
 * (parallel scavenger threads of several processes preempt the server) and a larger young
 * generation (fewer pauses inside the measured path). E2E_WORKER_FLAGS replaces these.
 */
export function generatorFlags(): string[] {
  return (process.env.E2E_WORKER_FLAGS ?? '--single-threaded-gc --max-semi-space-size=64').split(' ').filter(Boolean);
}

/** A load generator: its process, and the next message it sends (in order). */
export interface Generator {
  readonly child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  /** Sends a message and resolves with the next one the generator sends. */
  ask(m: object): Promise<Record<string, unknown>>;
}

/**
 * Forks the load generator `name` (relative to bench/) and sends it its task. A generator that
 * reports `{error}`, or dies, fails every `next()` (loudly, not by waiting for it forever).
 */
export function generator(name: string, task: { role: string; [k: string]: unknown }): Generator {
  const child = fork(benchPath(name), [], { execArgv: [...tsx, ...generatorFlags()] });
  children.add(child);
  const queue: Record<string, unknown>[] = [];
  const waiters: { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiters.splice(0)) w.reject(failure);
  };
  child.on('message', (m: Record<string, unknown>) => {
    if (m.error) return fail(new Error(`${task.role} load generator: ${String(m.error)}`));
    const w = waiters.shift();
    if (w) w.resolve(m);
    else queue.push(m);
  });
  child.on('exit', (code, signal) => fail(new Error(`${task.role} load generator exited (code ${code}, signal ${signal}) before it reported`)));
  child.send(task);
  const next = (): Promise<Record<string, unknown>> => {
    if (queue.length) return Promise.resolve(queue.shift()!);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
  return {
    child,
    next,
    ask: (m) => {
      child.send(m);
      return next();
    },
  };
}

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

/** A redis-server of the benchmark's own, append-only, in a temporary directory (`dir`). */
export async function startRedis(appendfsync: string): Promise<{ url: string; port: number; dir: string; pid: number; stop: () => void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-redis-'));
  scratch.add(dir);
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
  return { url: `redis://127.0.0.1:${port}`, port, dir, pid: proc.pid!, stop: () => proc.kill('SIGKILL') };
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
