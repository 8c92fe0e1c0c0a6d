/**
 * The Switchboard server under test, as the benchmarks run it: its process, its tenant set up
 * over the platform endpoint, and its /metrics read through the main port.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import WebSocket from 'ws';
import { SUBPROTOCOLS } from '../src/protocol/codec.ts';
import { benchPath, children, tsx } from './processes.ts';

export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789';
export const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/**
 * The flags of `switchboard serve` for a benchmark: loopback, the benchmark's secret, warnings
 * only, rate limits out of the way, /metrics on the main port behind METRICS_TOKEN, then `extra`.
 */
export function serverArgs(port: number, maxConnections: number, extra: string[] = []): string[] {
  return [
    'serve',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--auth-secret',
    BENCH_SECRET,
    '--log-level',
    'warn',
    '--messages-per-second',
    '100000',
    '--message-burst',
    '100000',
    '--max-connections-per-tenant',
    String(maxConnections),
    '--metrics-port',
    '-1',
    '--metrics-token',
    METRICS_TOKEN,
    ...extra,
  ];
}

/**
 * Forks `switchboard serve` with `args`. E2E_SERVER_FLAGS passes node flags to it (and shows its
 * stdout); otherwise its stdout is dropped and its stderr shown.
 */
export function forkServer(args: string[], stdio?: StdioOptions): ChildProcess {
  const serverFlags = process.env.E2E_SERVER_FLAGS ? process.env.E2E_SERVER_FLAGS.split(' ') : [];
  const server = fork(benchPath('../src/main'), args, {
    execArgv: [...tsx, ...serverFlags],
    stdio: stdio ?? ['ignore', serverFlags.length ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  children.add(server);
  return server;
}

/** Defines `queue` and the agents `ids` over the platform endpoint, 500 requests at a time. */
export async function platformSetup(url: string, token: string, queue: Record<string, unknown>, ids: string[]): Promise<void> {
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const w = new WebSocket(`${url}/v1/platform`, [SUBPROTOCOLS.json], { headers: { authorization: `Bearer ${token}` } });
    w.once('open', () => resolve(w));
    w.once('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, (m: { ok: boolean; message?: string }) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    waiting.get(m.re)?.(m);
  });
  const req = (body: object) =>
    new Promise<void>((resolve, reject) => {
      const rid = ++id;
      waiting.set(rid, (m) => (m.ok ? resolve() : reject(new Error(m.message))));
      ws.send(JSON.stringify({ id: rid, ...body }));
    });
  await req({ type: 'UpsertQueue', queue });
  for (let i = 0; i < ids.length; i += 500) await Promise.all(ids.slice(i, i + 500).map((a) => req({ type: 'UpsertAgent', agent: { id: a } })));
  ws.close();
}

/** The server's /metrics exposition, through the main port. */
export async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
}

/** The sum of every sample of `name` whose labels include `labels` (e.g. `outcome="published"`); 0 when none. */
export function metricSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) if (!labels || (m[1] ?? '').includes(labels)) sum += Number(m[2]);
  return sum;
}

/** The samples of counter `name` by the value of label `label`. */
export function metricBy(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const v = new RegExp(`${label}="([^"]*)"`).exec(m[1])?.[1] ?? '';
    out[v] = (out[v] ?? 0) + Number(m[2]);
  }
  return out;
}

/** Upper bound of the bucket holding quantile q of a Prometheus histogram's exposition. */
export function histogramQuantile(text: string, name: string, q: number): number {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)",outcome="ok"\\} (\\S+)$`, 'gm'))].map(
    (m) => [Number(m[1] === '+Inf' ? Infinity : m[1]), Number(m[2])] as const,
  );
  const total = buckets.at(-1)?.[1] ?? 0;
  const hit = buckets.find(([, c]) => c >= q * total);
  return total === 0 || !hit ? Number.NaN : hit[0];
}
