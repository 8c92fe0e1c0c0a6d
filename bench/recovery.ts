/**
 * Recovery from snapshot and journal, at scale: `npm run bench:recovery`.
 *
 * Builds a tenant holding --waiting interactions (default 1,000,000) that wait in one queue with
 * no agent free: the engine takes the commands in this process and the journal gets every entry
 * (turns of --turn entries, the shell's group commit), with a snapshot where the server's own
 * schedule (--snapshot-every, the server's default) would leave the longest tail: the last
 * snapshot-every − 1 entries are replayed after it. Then a server process starts on that Redis
 * and the time to /readyz is measured: the recovery a restarted or promoted leader goes through.
 * In the same run, as a baseline, the same commands replayed through a fresh engine in this
 * process with no I/O at all: what recovery without snapshots would cost at the least.
 *
 * Then the recovered server takes a snapshot of the whole tenant while it serves: its snapshot
 * replica (a worker thread) catches up with the journal, one more submission makes a snapshot
 * due, and the replica copies, encodes and publishes it. Meanwhile a client asks the server
 * something every 2 ms, and the server's own longest event-loop delay is read from its metrics:
 * `snapshotLongestTurnMs` (target under 50 ms), beside the same figures over a quiet stretch of
 * equal length just after (the baseline of the same run).
 *
 *   --waiting N         interactions waiting (default 1000000)
 *   --snapshot-every N  entries between snapshots (default: the server's, 250000; a quarter of
 *                       --waiting when that is smaller, so a small run still has a snapshot
 *                       and its replica one to take)
 *   --turn N            entries per journal write (default 1000)
 *   --json              one JSON object
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { SUBPROTOCOLS } from '../src/protocol/codec.ts';
import { TokenVerifier } from '../src/transport/auth.ts';
import { configReference } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import type { Command } from '../src/engine/types.ts';
import { Shell } from '../src/shell/shell.ts';
import type { JournalEntry } from '../src/store/journal.ts';
import { RedisJournal } from '../src/store/redis-journal.ts';
import { decodeSnapshot, encodeSnapshot } from '../src/store/snapshot-codec.ts';
import { environment, flags, numbers } from './common.ts';
import { children, freePort, procStats, startRedis, waitReady } from './processes.ts';

const args = flags(process.argv.slice(2));
const num = numbers(args);
const WAITING = num('waiting', 1_000_000);
const SERVER_EVERY = Number(configReference().find((k) => k.key === 'snapshotEveryEntries')!.default);
const EVERY = num('snapshot-every', Math.min(SERVER_EVERY, Math.max(1000, Math.floor(WAITING / 4))));
const TURN = num('turn', 1000);
const JSON_OUT = args.has('json');
const TARGET_MS = 15_000;
/** No event-loop turn of the serving process longer than this while a snapshot is taken. */
const TURN_TARGET_MS = 50;
const SECRET = 'bench-secret-0123456789abcdef0123456789';
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};
const here = fileURLToPath(new URL('.', import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const tsx = ext === '.ts' ? ['--import', 'tsx'] : [];
const ms = (t0: number) => Math.round(performance.now() - t0);

const options = { ordering: 'service-objective', agentSelection: 'longest-idle' } as const;
const start = Date.now();
const commands: JournalEntry[] = [
  { n: start, c: { type: 'DefineSkill', skill: 'billing' } },
  { n: start, c: { type: 'UpsertQueue', queue: { id: 'q', escalateAfterMs: null } } },
  ...Array.from({ length: 50 }, (_, i): JournalEntry => ({ n: start, c: { type: 'UpsertAgent', agent: { id: `a${i}`, skills: { billing: 1 + (i % 10) } } } })),
];
for (let i = 0; i < WAITING; i++) {
  const c: Command = {
    type: 'SubmitInteraction',
    interaction: {
      id: `i${i}`,
      channel: i % 4 === 0 ? 'chat' : 'voice',
      queue: 'q',
      skills: { billing: 1 + (i % 5) },
      priority: i % 3,
      customerId: `c${i % 200_000}`,
      context: { account: `A-${i}` },
    },
  };
  commands.push({ n: start + Math.floor(i / 1000), c });
}
const total = commands.length;
// The server snapshots after every EVERY entries: the last snapshot is at the largest multiple of
// EVERY, so at most EVERY − 1 entries follow it. Here exactly that many do (the worst case).
const through = Math.max(0, total - (EVERY - 1));

log(
  `building: ${WAITING.toLocaleString('en')} waiting interactions, ${total.toLocaleString('en')} journal entries, snapshot after entry ${through.toLocaleString('en')}`,
);
const redis = await startRedis('everysec');
// Redis records its own stalls over 50 ms (LATENCY LATEST): a stall there delays every journal
// write and lease renewal of the server as much as one of its own event loop.
const admin = new Redis(redis.url);
await admin.config('SET', 'latency-monitor-threshold', '50');
const journal = new RedisJournal(redis.url);
await journal.ready();
for await (const _ of (await journal.open('bench')).entries) void _;
let engine: Engine | null = new Engine(options);
let snapshotBytes = 0;
let t = performance.now();
for (let i = 0; i < total; i += TURN) {
  const turn = commands.slice(i, i + TURN);
  for (let k = 0; k < turn.length; k++) {
    const e = turn[k];
    engine.apply(e.c!, e.n);
    if (i + k + 1 === through) {
      // The snapshot the server's replica would have published after this entry (set-up: the
      // server's own snapshot is measured below).
      const bytes = await encodeSnapshot(engine.snapshot());
      snapshotBytes = bytes.length;
      await journal.append('bench', i + 1, commands.slice(i, i + k + 1));
      await journal.saveSnapshot('bench', through, bytes);
      if (k + 1 < turn.length) await journal.append('bench', through + 1, turn.slice(k + 1));
    }
  }
  if (!(i < through && through <= i + turn.length)) await journal.append('bench', i + 1, turn);
}
const buildMs = ms(t);
const waitingBuilt = engine.queueStats('q')!.waiting;
engine = null;
await journal.close();
log(`built in ${buildMs} ms; snapshot ${(snapshotBytes / 1048576).toFixed(0)} MiB`);

// Baseline: every command through a fresh engine, in memory, no I/O.
t = performance.now();
let replayed: Engine | null = new Engine(options);
for (const e of commands) replayed.apply(e.c!, e.n);
const fullReplayMs = ms(t);
replayed = null;

// Recovery inside this process, step by step.
const steps = new RedisJournal(redis.url);
await steps.ready();
t = performance.now();
const stored = await steps.snapshot('bench');
const loadMs = ms(t);
// Fewer entries than a snapshot interval: the server would not have taken one; all is replayed.
t = performance.now();
const decoded = stored ? decodeSnapshot(stored.bytes) : null;
const decodeMs = ms(t);
t = performance.now();
if (decoded) Engine.restore(decoded);
const restoreMs = ms(t);
t = performance.now();
const shell = new Shell({ ...options, journal: steps });
await shell.recover();
const inProcessMs = ms(t);
const waitingRecovered = shell.engineOf('bench')!.queueStats('q')!.waiting;
shell.stop();
await steps.close();
if (waitingRecovered !== waitingBuilt || waitingBuilt !== WAITING)
  throw new Error(`recovered ${waitingRecovered} waiting, built ${waitingBuilt}, wanted ${WAITING}`);

// Recovery of a server process: start to ready. RECOVERY_SERVER_FLAGS="--trace-gc" passes node
// flags to the server process (and shows its stdout).
const serverFlags = process.env.RECOVERY_SERVER_FLAGS ? process.env.RECOVERY_SERVER_FLAGS.split(' ') : [];
const port = await freePort();
t = performance.now();
const server = fork(
  `${here}../src/main${ext}`,
  [
    'serve',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--auth-secret',
    SECRET,
    '--log-level',
    'warn',
    '--metrics-port',
    '-1',
    '--metrics-token',
    METRICS_TOKEN,
    // The probe below asks every 2 ms: above the default rate limit.
    '--messages-per-second',
    '100000',
    '--message-burst',
    '100000',
    '--snapshot-every-entries',
    String(EVERY),
    '--store',
    'redis',
    '--redis-url',
    redis.url,
    '--ordering',
    options.ordering,
    '--agent-selection',
    options.agentSelection,
  ],
  { execArgv: [...tsx, ...serverFlags], stdio: ['ignore', serverFlags.length ? 'inherit' : 'ignore', 'inherit', 'ipc'] },
);
children.add(server);
await waitReady(port);
const recoveryMs = ms(t);
const rssMb = procStats(server.pid!).rssMb;

// The snapshot of the recovered tenant, taken by the server's replica while it serves.
const scrape = async (): Promise<Map<string, number>> => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^#\s][^\s]*) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
};
const token = await new TokenVerifier(SECRET).sign({ tenant: 'bench', role: 'platform' }, 3600);
const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/platform`, [SUBPROTOCOLS.json], { headers: { authorization: `Bearer ${token}` } });
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
let nextId = 1;
const answers = new Map<number, () => void>();
ws.on('close', (code) => {
  if (answers.size > 0) throw new Error(`the probe's connection closed (${code}) with a request unanswered`);
});
ws.on('message', (data) => {
  const re = (JSON.parse(String(data)) as { re?: number }).re;
  if (re !== undefined) answers.get(re)?.();
});
const ask = (body: Record<string, unknown>) =>
  new Promise<void>((resolve) => {
    const id = nextId++;
    answers.set(id, () => {
      answers.delete(id);
      resolve();
    });
    ws.send(JSON.stringify({ id, ...body }));
  });
/** Asks the server something every 2 ms until `done()`; the longest round trip and the server's longest event-loop delay. */
const probe = async (done: () => Promise<boolean>): Promise<{ ms: number; longestRoundTripMs: number; longestTurnMs: number }> => {
  const t0 = performance.now();
  await scrape(); // resets the server's event-loop delay record
  let longest = 0;
  let stop = false;
  let longestTurn = 0;
  const watch = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, 250));
      const m = await scrape();
      longestTurn = Math.max(longestTurn, (m.get('nodejs_eventloop_lag_max_seconds') ?? 0) * 1000);
      if (await done()) stop = true;
    }
  })();
  while (!stop) {
    const t = performance.now();
    await ask({ type: 'GetAgent', agentId: 'a0' }); // O(1): GetInteraction of a queued one walks its queue
    longest = Math.max(longest, performance.now() - t);
    await new Promise((r) => setTimeout(r, 2));
  }
  await watch;
  return { ms: ms(t0), longestRoundTripMs: longest, longestTurnMs: longestTurn };
};
const published = async () => ((await scrape()).get('switchboard_snapshots_total{outcome="published"}') ?? 0) >= 1;
// One more entry makes the tenant due: the replica had the snapshot's tail (snapshot-every − 1).
await ask({ type: 'SubmitInteraction', interaction: { id: 'one-more', channel: 'chat', queue: 'q', skills: { billing: 1 } } });
const during = await probe(published);
const quietUntil = performance.now() + during.ms;
const quiet = await probe(async () => performance.now() >= quietUntil);
const after = await scrape();
const phaseMs = (phase: string) => Math.round((after.get(`switchboard_snapshot_seconds_sum{phase="${phase}"}`) ?? Number.NaN) * 1000);
const replicaRssMb = procStats(server.pid!).rssMb;
const redisStalls = Object.fromEntries(((await admin.call('LATENCY', 'LATEST')) as [string, number, number, number][]).map(([event, , , max]) => [event, max]));
admin.disconnect();
ws.close();
// Stopped gracefully, so that a profile asked for in RECOVERY_SERVER_FLAGS is written.
const exited = new Promise((r) => server.once('exit', r));
server.kill('SIGTERM');
await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
server.kill('SIGKILL');
redis.stop();

const result = {
  env: environment(),
  waiting: WAITING,
  journalEntries: total,
  snapshotThrough: through,
  replayedAfterSnapshot: total - through,
  snapshotMb: snapshotBytes / 1048576,
  snapshotLongestTurnMs: Math.round(during.longestTurnMs),
  snapshotLongestRoundTripMs: Math.round(during.longestRoundTripMs),
  snapshotWindowMs: during.ms,
  snapshotReplicaMs: { copy: phaseMs('copy'), encode: phaseMs('encode'), store: phaseMs('store') },
  baselineQuietLongestTurnMs: Math.round(quiet.longestTurnMs),
  baselineQuietLongestRoundTripMs: Math.round(quiet.longestRoundTripMs),
  rssWithReplicaMb: replicaRssMb,
  redisLongestStallMsByEvent: redisStalls,
  recoveryMs,
  recoveryMsPerMillion: (recoveryMs / WAITING) * 1e6,
  recoveryRssMb: rssMb,
  inProcess: { loadMs, decodeMs, restoreMs, totalMs: inProcessMs },
  baselineFullReplayMs: fullReplayMs,
  target: { recoveryMsPerMillion: TARGET_MS, snapshotLongestTurnMs: TURN_TARGET_MS },
};
if (JSON_OUT) console.log(JSON.stringify(result));
else {
  console.log(
    `server start to ready with ${WAITING.toLocaleString('en')} waiting: ${recoveryMs} ms (target < ${TARGET_MS.toLocaleString('en')} ms per million; ${Math.round(result.recoveryMsPerMillion)} ms per million), RSS ${rssMb.toFixed(0)} MB`,
  );
  console.log(
    `  in process: snapshot read ${loadMs} ms, decoded ${decodeMs} ms, restored ${restoreMs} ms; whole recovery with ${total - through} entries replayed ${inProcessMs} ms`,
  );
  console.log(`  baseline, the same ${total.toLocaleString('en')} commands replayed in memory without a snapshot: ${fullReplayMs} ms`);
  console.log(
    `  snapshot of the recovered tenant by the replica while serving (${during.ms} ms from ready to published; copy ${phaseMs('copy')} ms, encode ${phaseMs('encode')} ms, store ${phaseMs('store')} ms in the replica's thread):`,
  );
  console.log(
    `    longest event-loop turn ${Math.round(during.longestTurnMs)} ms (target < ${TURN_TARGET_MS}), longest round trip ${Math.round(during.longestRoundTripMs)} ms; quiet baseline of equal length: ${Math.round(quiet.longestTurnMs)} ms, ${Math.round(quiet.longestRoundTripMs)} ms; RSS with the replica ${replicaRssMb.toFixed(0)} MB`,
  );
}
process.exit(0);
