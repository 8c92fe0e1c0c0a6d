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
 *   --waiting N         interactions waiting (default 1000000)
 *   --snapshot-every N  entries between snapshots (default: the server's, 250000)
 *   --turn N            entries per journal write (default 1000)
 *   --json              one JSON object
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configReference } from '../src/config.ts';
import { Engine } from '../src/engine/engine.ts';
import type { Command } from '../src/engine/types.ts';
import { Shell } from '../src/shell/shell.ts';
import type { JournalEntry } from '../src/store/journal.ts';
import { RedisJournal } from '../src/store/redis-journal.ts';
import { decodeSnapshot, encodeSnapshot } from '../src/store/snapshot-codec.ts';
import { environment, flags } from './common.ts';
import { children, freePort, procStats, startRedis, waitReady } from './processes.ts';

const args = flags(process.argv.slice(2));
const WAITING = Number(args.get('waiting') ?? 1_000_000);
const EVERY = Number(args.get('snapshot-every') ?? configReference().find((k) => k.key === 'snapshotEveryEntries')!.default);
const TURN = Number(args.get('turn') ?? 1000);
const JSON_OUT = args.has('json');
const TARGET_MS = 15_000;
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
const journal = new RedisJournal(redis.url);
await journal.ready();
for await (const _ of (await journal.open('bench')).entries) void _;
let engine: Engine | null = new Engine(options);
let snapshotMs = 0;
let encodeMs = 0;
let longestSliceMs = 0;
let snapshotBytes = 0;
let t = performance.now();
for (let i = 0; i < total; i += TURN) {
  const turn = commands.slice(i, i + TURN);
  for (let k = 0; k < turn.length; k++) {
    const e = turn[k];
    engine.apply(e.c!, e.n);
    if (i + k + 1 === through) {
      const t1 = performance.now();
      const snap = engine.snapshot();
      snapshotMs = ms(t1);
      // Encoded as the server does, a slice per turn: the longest stretch between turns is what
      // the event loop is held for while encoding.
      const t2 = performance.now();
      let mark = performance.now();
      const bytes = await encodeSnapshot(snap, async () => {
        longestSliceMs = Math.max(longestSliceMs, performance.now() - mark);
        await new Promise((r) => setImmediate(r));
        mark = performance.now();
      });
      longestSliceMs = Math.max(longestSliceMs, performance.now() - mark);
      encodeMs = ms(t2);
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
log(`built in ${buildMs} ms; snapshot taken in ${snapshotMs} ms, encoded in ${encodeMs} ms: ${(snapshotBytes / 1048576).toFixed(0)} MiB`);

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

// Recovery of a server process: start to ready.
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
    'bench-secret-0123456789abcdef0123456789',
    '--log-level',
    'warn',
    '--metrics-port',
    '-1',
    '--store',
    'redis',
    '--redis-url',
    redis.url,
    '--ordering',
    options.ordering,
    '--agent-selection',
    options.agentSelection,
  ],
  { execArgv: tsx, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
);
children.add(server);
await waitReady(port);
const recoveryMs = ms(t);
const rssMb = procStats(server.pid!).rssMb;
server.kill('SIGKILL');
redis.stop();

const result = {
  env: environment(),
  waiting: WAITING,
  journalEntries: total,
  snapshotThrough: through,
  replayedAfterSnapshot: total - through,
  snapshotMs,
  snapshotEncodeMs: encodeMs,
  snapshotLongestEncodeSliceMs: Math.round(longestSliceMs),
  snapshotMb: snapshotBytes / 1048576,
  recoveryMs,
  recoveryMsPerMillion: (recoveryMs / WAITING) * 1e6,
  recoveryRssMb: rssMb,
  inProcess: { loadMs, decodeMs, restoreMs, totalMs: inProcessMs },
  baselineFullReplayMs: fullReplayMs,
  target: { recoveryMsPerMillion: TARGET_MS },
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
    `  taking the snapshot held the event loop ${snapshotMs} ms (the copy); encoding took ${encodeMs} ms a slice per turn, the longest ${Math.round(longestSliceMs)} ms; ${result.snapshotMb.toFixed(0)} MiB`,
  );
}
process.exit(0);
