import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
export const PROCESS_SECRET = 'crash-test-secret-0123456789abcdef0123';
export const METRICS_TOKEN = 'crash-test-metrics-token';

export interface ServerProcess {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly http: string;
}

/** `switchboard serve` with the redis store (a snapshot every 50 journal entries, so recoveries and standbys load snapshots from a trimmed journal) in a child process; resolves once it listens. */
export async function spawnServer(redisUrl: string, extra: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--auth-secret',
      PROCESS_SECRET,
      '--store',
      'redis',
      '--redis-url',
      redisUrl,
      '--metrics-port',
      '-1',
      '--metrics-token',
      METRICS_TOKEN,
      '--log-level',
      'warn',
      '--message-burst',
      '5000',
      '--messages-per-second',
      '5000',
      '--lease-ms',
      '1000',
      '--snapshot-every-entries',
      '50',
      ...extra,
    ],
    { stdio: ['ignore', process.env.SWITCHBOARD_TEST_SERVER_LOGS ? 'inherit' : 'ignore', 'inherit'] },
  );
  const http = `http://127.0.0.1:${port}`;
  await answers(proc, `${http}/healthz`, 20_000);
  return { proc, port, url: `ws://127.0.0.1:${port}`, http };
}

/** Resolves once /readyz answers 200 (the process leads); rejects after timeoutMs. */
export function untilReady(s: ServerProcess, timeoutMs = 20_000): Promise<void> {
  return answers(s.proc, `${s.http}/readyz`, timeoutMs);
}

/** Polls `url` until it answers 200; fails if the process exits or time runs out first. */
async function answers(proc: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    if (Date.now() > end) throw new Error(`${url} did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function kill9(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}
