/**
 * Soak benchmark: the real server with the redis store (its own redis-server) under a steady load
 * for a long time, agents' desktops dropping and coming back at random all along, snapshots taken
 * on the way, and at the end every acknowledged interaction looked for.
 *
 *   npm run bench:soak                      30 minutes, 2,000 interactions/s, 5,000 agents
 *   npm run bench:soak -- --json            one JSON object
 *   flags: --minutes M | --seconds S, --rate R, --agents N, --snapshot-every N (journal entries),
 *          --reconnect-mean-seconds S (mean time between one desktop's closes), --seed N,
 *          --sample-seconds S (one row per S seconds, 60 by default), --offline-max-ms MS (a closed
 *          desktop reconnects after a pause uniform in [0, MS]), --handle-max-ms MS (each
 *          assignment is held uniform in [0, MS]), --appendfsync always|everysec, --workers K
 *          (agent processes), --warmup-fraction F (rows left out of the slopes)
 *
 * Processes: the server, redis-server, K agent generators, a platform generator submitting at the
 * fixed rate, and a subscriber (a supervisor counting the event stream). Submit-to-offer latency is
 * measured from the platform's submit to the agent's receipt, on the system monotonic clock the
 * processes share; an offer that reached a desktop only with the resume after a reconnect is
 * counted apart (its wait includes the desktop's own absence). Exits 1 when a behaviour target
 * fails (an abnormal close, an acknowledged interaction not accounted for, no snapshot, ...).
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { DEFAULT_OPTIONS } from '../src/engine/options.ts';
import { TokenVerifier } from '../src/transport/auth.ts';
import { environment, flags, numbers, percentile } from './common.ts';
import { children, freePort, generator, procStats, startRedis, waitReady, type Generator } from './processes.ts';
import { BENCH_SECRET, forkServer, metricBy, metricSum, platformSetup, scrape, serverArgs } from './server.ts';

const args = flags(process.argv.slice(2));
const num = numbers(args);
const SECONDS = args.has('seconds') ? num('seconds', 0) : num('minutes', 30) * 60;
const RATE = num('rate', 2000);
const AGENTS = num('agents', 5000);
const SNAPSHOT_EVERY = num('snapshot-every', 200_000);
const RECONNECT_MEAN_SECONDS = num('reconnect-mean-seconds', 180);
const SEED = num('seed', 1);
const SAMPLE_SECONDS = num('sample-seconds', 60);
const OFFLINE_MAX_MS = num('offline-max-ms', 2000);
const HANDLE_MAX_MS = num('handle-max-ms', 1000);
const APPENDFSYNC = args.get('appendfsync') ?? 'everysec';
const WORKERS = num('workers', 2);
const WARMUP_FRACTION = num('warmup-fraction', 0.2);
const JSON_OUT = args.has('json');
/** How often the server's heap is read between samples (its lowest reading is the row's figure). */
const HEAP_SCRAPE_MS = 5000;
const ID_PREFIX = 's';
const TARGETS = {
  abnormalCloses: 0,
  unaccounted: 0,
  /** At least one snapshot published during the run. */
  snapshotsAtLeast: 1,
  /** Each row's p99 submit-to-offer (live offers), ms: the redis store's submit-to-ack target. */
  submitToOfferP99MsEachRow: 10,
  /** Memory growth after warm-up, MB per hour (RSS and heap). */
  slopeMbPerHourBelow: 10,
} as const;
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

/** The members of a bit set sent as base64 by a generator. */
function bits(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const env = environment();
log(`switchboard bench:soak  git ${env.git}  node ${env.node}  ${env.cpu} ×${env.cores}`);
log(
  `${SECONDS} s at ${RATE}/s over ${AGENTS} agents (each desktop closes every ${RECONNECT_MEAN_SECONDS} s on average, back within ${OFFLINE_MAX_MS} ms), ` +
    `redis store (appendfsync ${APPENDFSYNC}), a snapshot every ${SNAPSHOT_EVERY} journal entries`,
);

const redis = await startRedis(APPENDFSYNC);
const port = await freePort();
const server = forkServer(
  serverArgs(port, 2 * AGENTS + 100, ['--store', 'redis', '--redis-url', redis.url, '--snapshot-every-entries', String(SNAPSHOT_EVERY)]),
);
const url = `ws://127.0.0.1:${port}`;
await waitReady(port);
const verifier = new TokenVerifier(BENCH_SECRET);
const ttl = SECONDS + 3600;
const agentIds = Array.from({ length: AGENTS }, (_, i) => `a${i}`);
// Offers never time out here: a desktop that is away for a moment gets its offer back on reconnect.
await platformSetup(
  url,
  await verifier.sign({ tenant: 'bench', role: 'platform' }, ttl),
  { id: 'q', offerTimeoutMs: 600_000, escalateAfterMs: null },
  agentIds,
);

const per = Math.ceil(AGENTS / WORKERS);
const agentGens: Generator[] = [];
for (let w = 0; w < WORKERS; w++) {
  const ids = agentIds.slice(w * per, (w + 1) * per);
  const tokens = await Promise.all(ids.map((sub) => verifier.sign({ tenant: 'bench', role: 'agent', sub }, ttl)));
  agentGens.push(
    generator('soak-worker', {
      role: 'agents',
      url,
      tokens,
      encoding: 'json',
      seed: SEED * 1000 + w,
      reconnectMeanSeconds: RECONNECT_MEAN_SECONDS,
      offlineMaxMs: OFFLINE_MAX_MS,
      handleMaxMs: HANDLE_MAX_MS,
      idPrefix: ID_PREFIX,
    }),
  );
}
await Promise.all(agentGens.map((g) => g.next()));
const subscriber = generator('soak-worker', { role: 'subscriber', url, token: await verifier.sign({ tenant: 'bench', role: 'supervisor' }, ttl) });
await subscriber.next();
log(`${AGENTS} agents connected in ${WORKERS} processes; subscriber on the event stream`);

const platform = generator('soak-worker', {
  role: 'platform',
  url,
  token: await verifier.sign({ tenant: 'bench', role: 'platform' }, ttl),
  encoding: 'json',
  rate: RATE,
  padBytes: 100,
  idPrefix: ID_PREFIX,
});
await platform.next();

const gens = [platform, subscriber, ...agentGens];
const genNames = ['platform', 'subscriber', ...agentGens.map((_, i) => `agents${i}`)];
const cpuOf = () => [server, ...gens.map((g) => g.child)].map((c) => procStats(c.pid!).cpuMs);
const serverAbnormal = (text: string) => {
  const by = metricBy(text, 'switchboard_ws_closes_total', 'reason');
  return sum(Object.entries(by).map(([k, v]) => (k === 'normal' ? 0 : v)));
};

interface Row {
  row: number;
  endSeconds: number;
  submitted: number;
  acked: number;
  routed: number;
  submitToOfferP50Ms: number;
  submitToOfferP99Ms: number;
  submitToOfferMaxMs: number;
  offersAfterReconnect: number;
  submitToAckP99Ms: number;
  rssMb: number;
  heapUsedMb: number;
  serverCpuPercent: number;
  generatorsCpuPercent: number;
  busiestGeneratorCpuPercent: number;
  abnormalCloses: number;
  reconnects: number;
  workAcrossReconnect: number;
  snapshots: number;
  events: number;
  desktopsOffline: number;
  /** The server's longest event-loop delay in the row (prom-client's, reset at every scrape). */
  eventLoopDelayMaxMs: number;
  /** Mean time the snapshot replica took to copy its engine's state for the row's snapshots (in its own thread, off the serving loop). */
  snapshotCopyMeanMs: number;
  /** The machine's 1-minute load average: other work beside the run shows here. */
  loadAverage: number;
  /** The longest time the server took to answer a /metrics request in the row, and the requests it did not answer (10 s to connect). */
  scrapeMaxMs: number;
  scrapeFailures: number;
}
const rows: Row[] = [];
const t0 = performance.now();
const cpu0 = cpuOf();
let cpuPrev = cpu0;
let tPrev = t0;
/**
 * The server's /metrics, timed: how long the server takes to answer is itself a figure (a server
 * whose event loop is held answers late, or not at all). A scrape that fails is counted and tried
 * again, up to `tries` times; null if none answered.
 */
const scrapes = { failures: 0, rowMaxMs: 0, rowFailures: 0 };
async function read(tries = 3): Promise<string | null> {
  for (let i = 0; i < tries; i++) {
    const t = performance.now();
    try {
      const text = await scrape(port);
      scrapes.rowMaxMs = Math.max(scrapes.rowMaxMs, performance.now() - t);
      return text;
    } catch {
      scrapes.rowMaxMs = Math.max(scrapes.rowMaxMs, performance.now() - t);
      scrapes.failures++;
      scrapes.rowFailures++;
    }
  }
  return null;
}
const text0 = (await read(20))!;
let snapshotsPrev = metricSum(text0, 'switchboard_snapshots_total', 'outcome="published"');
let serverAbnormalPrev = serverAbnormal(text0);
const copy = (text: string) => [
  metricSum(text, 'switchboard_snapshot_seconds_sum', 'phase="copy"'),
  metricSum(text, 'switchboard_snapshot_seconds_count', 'phase="copy"'),
];
let copyPrev = copy(text0);
const allLive: number[][] = [];
for (let k = 1; k * SAMPLE_SECONDS <= SECONDS + 1e-9; k++) {
  // Between samples, the heap every few seconds: the lowest is the closest to what is live.
  let heapMin = Number.POSITIVE_INFINITY;
  let lagMax = 0;
  const end = t0 + k * SAMPLE_SECONDS * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(HEAP_SCRAPE_MS, end - performance.now()));
    if (performance.now() < end - 500) {
      const text = (await read(1)) ?? '';
      heapMin = Math.min(heapMin, metricSum(text, 'nodejs_heap_size_used_bytes'));
      lagMax = Math.max(lagMax, metricSum(text, 'nodejs_eventloop_lag_max_seconds'));
    }
  }
  const [p, s, ...a] = await Promise.all(gens.map((g) => g.ask({ sample: true })));
  const tNow = performance.now();
  const cpu = cpuOf();
  const read3 = await read();
  const text = read3 ?? '';
  if (text) heapMin = Math.min(heapMin, metricSum(text, 'nodejs_heap_size_used_bytes'));
  lagMax = Math.max(lagMax, metricSum(text, 'nodejs_eventloop_lag_max_seconds'));
  const copyNow = read3 ? copy(text) : copyPrev;
  const wall = (tNow - tPrev) / 1000;
  const pct = cpu.map((ms, i) => ((ms - cpuPrev[i]) / 1000 / wall) * 100);
  const live = a.flatMap((r) => r.live as number[]);
  allLive.push(live);
  const snapshots = read3 ? metricSum(text, 'switchboard_snapshots_total', 'outcome="published"') : snapshotsPrev;
  const abnormalServer = read3 ? serverAbnormal(text) : serverAbnormalPrev;
  const row: Row = {
    row: k,
    endSeconds: round((tNow - t0) / 1000, 1),
    submitted: p.submitted as number,
    acked: p.acked as number,
    routed: sum(a.map((r) => r.completed as number)),
    submitToOfferP50Ms: round(percentile(live, 50), 3),
    submitToOfferP99Ms: round(percentile(live, 99), 3),
    submitToOfferMaxMs: round(percentile(live, 100), 1),
    offersAfterReconnect: sum(a.map((r) => (r.resumed as number[]).length)),
    submitToAckP99Ms: round(percentile(p.ackLat as number[], 99), 3),
    rssMb: round(procStats(server.pid!).rssMb, 1),
    heapUsedMb: Number.isFinite(heapMin) && heapMin > 0 ? round(heapMin / 2 ** 20, 1) : Number.NaN,
    serverCpuPercent: round(pct[0], 1),
    generatorsCpuPercent: round(sum(pct.slice(1)), 1),
    busiestGeneratorCpuPercent: round(Math.max(...pct.slice(1)), 1),
    abnormalCloses: (p.abnormal as number) + (s.abnormal as number) + sum(a.map((r) => r.abnormal as number)) + abnormalServer - serverAbnormalPrev,
    reconnects: sum(a.map((r) => r.reconnects as number)),
    workAcrossReconnect: sum(a.map((r) => r.workAcrossReconnect as number)),
    snapshots: snapshots - snapshotsPrev,
    events: sum(Object.values(s.events as Record<string, number>)),
    desktopsOffline: sum(a.map((r) => r.offline as number)),
    eventLoopDelayMaxMs: round(lagMax * 1000, 1),
    snapshotCopyMeanMs: copyNow[1] > copyPrev[1] ? round(((copyNow[0] - copyPrev[0]) / (copyNow[1] - copyPrev[1])) * 1000, 1) : 0,
    loadAverage: round(loadavg()[0]),
    scrapeMaxMs: round(scrapes.rowMaxMs, 1),
    scrapeFailures: scrapes.rowFailures,
  };
  scrapes.rowMaxMs = 0;
  scrapes.rowFailures = 0;
  rows.push(row);
  snapshotsPrev = snapshots;
  copyPrev = copyNow;
  serverAbnormalPrev = abnormalServer;
  cpuPrev = cpu;
  tPrev = tNow;
  (JSON_OUT ? console.error : console.log)(
    `${String(k).padStart(3)}  ${row.endSeconds.toFixed(0).padStart(5)} s  submitted ${row.submitted}  routed ${row.routed}  offer p50/p99 ${row.submitToOfferP50Ms}/${row.submitToOfferP99Ms} ms  ` +
      `RSS ${row.rssMb} MB  heap ${row.heapUsedMb} MB  server CPU ${row.serverCpuPercent}%  generators ${row.generatorsCpuPercent}% (busiest ${row.busiestGeneratorCpuPercent}%)  ` +
      `reconnects ${row.reconnects}  abnormal closes ${row.abnormalCloses}  snapshots ${row.snapshots} (copy ${row.snapshotCopyMeanMs} ms)  ` +
      `event-loop delay max ${row.eventLoopDelayMaxMs} ms  /metrics answered within ${row.scrapeMaxMs} ms (${row.scrapeFailures} unanswered)  load average ${row.loadAverage}`,
  );
}
const runWall = (performance.now() - t0) / 1000;
const runCpu = cpuOf().map((ms, i) => ((ms - cpu0[i]) / 1000 / runWall) * 100);

// The end: submissions stop, everything in flight is answered, desktops stop dropping and finish
// their work; then every acknowledged interaction is looked for.
const drainStart = performance.now();
await platform.ask({ stop: true });
const waitFor = async (what: string, timeoutMs: number, done: () => Promise<boolean>) => {
  const until = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > until) {
      log(`gave up waiting for ${what} after ${timeoutMs} ms`);
      return false;
    }
    await sleep(250);
  }
  return true;
};
let platformStatus: Record<string, unknown> = {};
await waitFor('the platform’s answers', 60_000, async () => {
  platformStatus = await platform.ask({ status: true });
  return platformStatus.inflight === 0;
});
await Promise.all(agentGens.map((g) => g.ask({ drain: true })));
await waitFor('the agents to finish their work', 30_000, async () => {
  const st = await Promise.all(agentGens.map((g) => g.ask({ status: true })));
  return sum(st.map((x) => x.completed as number)) >= (platformStatus.acked as number) && st.every((x) => x.openWork === 0 && x.offline === 0);
});
const drainSeconds = (performance.now() - drainStart) / 1000;
await sleep(500); // the last turns' events reach the subscriber
const pRep = await platform.ask({ report: true });
const aReps = await Promise.all(agentGens.map((g) => g.ask({ report: true })));
const acked = bits(pRep.ackedSet as string);
const completedSets = aReps.map((r) => bits(r.completedSet as string));
const missing: string[] = [];
for (let byte = 0; byte < acked.length; byte++) {
  let m = acked[byte];
  for (const c of completedSets) m &= ~(c[byte] ?? 0);
  for (let bit = 0; m !== 0 && bit < 8; bit++) if (m & (1 << bit)) missing.push(`${ID_PREFIX}${byte * 8 + bit}`);
}
const verified = await subscriber.ask({ verify: missing });
const statuses = verified.statuses as Record<string, string>;
const unaccountedIds = missing.filter((id) => statuses[id] !== 'completed');
const queue = (verified.queues as Record<string, number>[])[0];
const summary = verified.summary as { occupied: number; byState: Record<string, number> };
const sRep = await subscriber.ask({ report: true });
const finalText = (await read(20)) ?? '';
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
redis.stop();
children.delete(server);
rmSync(redis.dir, { recursive: true, force: true });

const totalAcked = pRep.acked as number;
const agentTotal = (k: string) => sum(aReps.map((r) => r[k] as number));
const merge = (k: string) => {
  const out: Record<string, number> = {};
  for (const r of [...aReps, pRep, sRep]) for (const [c, n] of Object.entries((r[k] as Record<string, number>) ?? {})) out[c] = (out[c] ?? 0) + n;
  return out;
};
const closesByReason = metricBy(finalText, 'switchboard_ws_closes_total', 'reason');
const abnormalServerTotal = serverAbnormal(finalText);
const abnormalClientTotal = (pRep.abnormal as number) + (sRep.abnormal as number) + agentTotal('abnormal');
const snapshots = metricSum(finalText, 'switchboard_snapshots_total', 'outcome="published"');
/** MB per hour over the rows that end after `fromSeconds` (least squares). */
const slopeAfter = (fromSeconds: number, y: (r: Row) => number) => {
  const after = rows.filter((r) => r.endSeconds > fromSeconds && Number.isFinite(y(r)));
  return round(
    slope(
      after.map((r) => r.endSeconds / 3600),
      after.map(y),
    ),
  );
};
const warmupSeconds = WARMUP_FRACTION * SECONDS;
// The engine keeps the ids of the last idempotencyMaxEntries finished interactions (a retry of one
// is answered duplicate: true), so its memory grows by design until that window is full.
const windowFullSeconds = Math.max(warmupSeconds, DEFAULT_OPTIONS.idempotencyMaxEntries / RATE);
const p99s = rows.map((r) => r.submitToOfferP99Ms);
const stuck = merge('stuck');
const events = sRep.events as Record<string, number>;
const allLiveFlat = allLive.flat();
const result = {
  ...env,
  seconds: SECONDS,
  rate: RATE,
  agents: AGENTS,
  agentProcesses: WORKERS,
  reconnectMeanSeconds: RECONNECT_MEAN_SECONDS,
  offlineMaxMs: OFFLINE_MAX_MS,
  handleMaxMs: HANDLE_MAX_MS,
  seed: SEED,
  store: 'redis',
  appendfsync: APPENDFSYNC,
  snapshotEveryEntries: SNAPSHOT_EVERY,
  sampleSeconds: SAMPLE_SECONDS,
  targets: TARGETS,
  rows,
  submitted: pRep.submitted as number,
  acked: totalAcked,
  submitDuplicates: pRep.duplicates as number,
  submitsRetried: pRep.retried as number,
  routed: agentTotal('completed'),
  submitToOfferP50Ms: round(percentile(allLiveFlat, 50), 3),
  submitToOfferP99Ms: round(percentile(allLiveFlat, 99), 3),
  submitToOfferMaxMs: round(percentile(allLiveFlat, 100), 1),
  submitToOfferP99MinMs: Math.min(...p99s),
  submitToOfferP99MaxMs: Math.max(...p99s),
  offersAfterReconnect: agentTotal('offersResumed'),
  warmupSeconds,
  rssSlopeMbPerHour: slopeAfter(warmupSeconds, (r) => r.rssMb),
  heapSlopeMbPerHour: slopeAfter(warmupSeconds, (r) => r.heapUsedMb),
  rowsInSlopes: rows.filter((r) => r.endSeconds > warmupSeconds).length,
  idempotencyWindowEntries: DEFAULT_OPTIONS.idempotencyMaxEntries,
  idempotencyWindowFullSeconds: round(windowFullSeconds, 1),
  rssSlopeWindowFullMbPerHour: slopeAfter(windowFullSeconds, (r) => r.rssMb),
  heapSlopeWindowFullMbPerHour: slopeAfter(windowFullSeconds, (r) => r.heapUsedMb),
  rowsInWindowFullSlopes: rows.filter((r) => r.endSeconds > windowFullSeconds).length,
  rssMbFirst: rows[0]?.rssMb,
  rssMbLast: rows.at(-1)?.rssMb,
  heapUsedMbFirst: rows[0]?.heapUsedMb,
  heapUsedMbLast: rows.at(-1)?.heapUsedMb,
  abnormalCloses: abnormalClientTotal + abnormalServerTotal,
  abnormalClosesClient: abnormalClientTotal,
  abnormalClosesServer: abnormalServerTotal,
  abnormalCloseCodes: merge('abnormalCodes'),
  serverClosesByReason: closesByReason,
  closesAsked: agentTotal('closesAsked'),
  reconnects: agentTotal('reconnects'),
  reconnectFailures: agentTotal('connectFailures'),
  workAcrossReconnect: agentTotal('workAcrossReconnect'),
  assignedAfterReconnect: agentTotal('assignedResumed'),
  completesRetried: agentTotal('completesRetried'),
  completeDuplicates: agentTotal('completeDuplicates'),
  acceptsRetried: agentTotal('acceptsRetried'),
  stateFixes: agentTotal('stateFixes'),
  refusals: merge('refusals'),
  unexpectedPushes: merge('unexpectedPushes'),
  stuckWork: stuck,
  snapshots,
  snapshotsFailed: metricSum(finalText, 'switchboard_snapshots_total', 'outcome="failed"'),
  snapshotCopyMeanMs: round((copy(finalText)[0] / copy(finalText)[1]) * 1000, 1),
  snapshotBytes: metricSum(finalText, 'switchboard_snapshot_bytes'),
  eventLoopDelayMaxMsMin: Math.min(...rows.map((r) => r.eventLoopDelayMaxMs)),
  eventLoopDelayMaxMsMax: Math.max(...rows.map((r) => r.eventLoopDelayMaxMs)),
  loadAverageMin: Math.min(...rows.map((r) => r.loadAverage)),
  loadAverageMax: Math.max(...rows.map((r) => r.loadAverage)),
  scrapeMaxMs: Math.max(...rows.map((r) => r.scrapeMaxMs)),
  scrapeFailures: scrapes.failures,
  journalEntries: metricSum(finalText, 'switchboard_journal_batch_entries_sum'),
  // Every acknowledged interaction: completed by a desktop's confirmed Complete, or, for those
  // whose answer a desktop never got, by the server's GetInteraction.
  confirmedByDesktops: totalAcked - missing.length,
  confirmedByQuery: missing.length - unaccountedIds.length,
  unaccounted: unaccountedIds.length,
  unaccountedSample: unaccountedIds.slice(0, 20).map((id) => `${id}:${statuses[id]}`),
  queueAfter: {
    arrived: queue.arrived,
    completed: queue.completed,
    waiting: queue.waiting,
    offered: queue.offered,
    occupiedAgents: summary.occupied,
    byState: summary.byState,
  },
  subscriberEvents: events,
  subscriberPushes: sRep.pushes as number,
  drainSeconds: round(drainSeconds, 1),
  serverCpuPercent: round(runCpu[0], 1),
  generatorsCpuPercent: Object.fromEntries(genNames.map((n, i) => [n, round(runCpu[i + 1], 1)])),
  generatorsCpuPercentTotal: round(sum(runCpu.slice(1)), 1),
};
const failures: string[] = [];
if (result.abnormalCloses !== 0) failures.push(`${result.abnormalCloses} abnormal closes`);
if (result.unaccounted !== 0) failures.push(`${result.unaccounted} acknowledged interactions not accounted for`);
if (snapshots < TARGETS.snapshotsAtLeast) failures.push('no snapshot published');
if (result.reconnects === 0 && RECONNECT_MEAN_SECONDS > 0) failures.push('no desktop reconnected');
if (queue.waiting + queue.offered !== 0 || summary.occupied !== 0) failures.push('work left in the queue or with agents');
if (queue.arrived !== totalAcked || queue.completed !== totalAcked)
  failures.push(`the queue says ${queue.arrived} arrived and ${queue.completed} completed; ${totalAcked} were acknowledged`);
if (Object.keys(stuck).length > 0) failures.push('desktops left with unfinished work');
if ((events.InteractionCompleted ?? 0) !== totalAcked) failures.push(`the subscriber saw ${events.InteractionCompleted ?? 0} completions of ${totalAcked}`);
const out = { ...result, ok: failures.length === 0, failures };

if (JSON_OUT) console.log(JSON.stringify(out));
else {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  console.log(
    `\n${out.submitted} submitted, ${out.acked} acknowledged, ${out.routed} routed (submit → offer → accept → complete); drained in ${f(out.drainSeconds)} s`,
  );
  console.log(
    `submit-to-offer p50 / p99 / max ${f(out.submitToOfferP50Ms, 2)} / ${f(out.submitToOfferP99Ms, 2)} / ${f(out.submitToOfferMaxMs)} ms over live offers; ` +
      `p99 per row from ${f(out.submitToOfferP99MinMs, 2)} to ${f(out.submitToOfferP99MaxMs, 2)} ms (target < ${TARGETS.submitToOfferP99MsEachRow} each); ` +
      `${out.offersAfterReconnect} offers reached their desktop with the resume after a reconnect`,
  );
  console.log(
    `after the first ${f(out.warmupSeconds, 0)} s: RSS ${f(out.rssSlopeMbPerHour, 2)} MB/h, heap ${f(out.heapSlopeMbPerHour, 2)} MB/h (target |slope| < ${TARGETS.slopeMbPerHourBelow}); ` +
      `RSS ${out.rssMbFirst} → ${out.rssMbLast} MB, heap ${out.heapUsedMbFirst} → ${out.heapUsedMbLast} MB`,
  );
  console.log(
    `from ${f(out.idempotencyWindowFullSeconds, 0)} s, once the idempotency window (the last ${out.idempotencyWindowEntries} finished ids) is full (${out.rowsInWindowFullSlopes} rows): ` +
      `RSS ${f(out.rssSlopeWindowFullMbPerHour, 2)} MB/h, heap ${f(out.heapSlopeWindowFullMbPerHour, 2)} MB/h`,
  );
  console.log(
    `abnormal closes ${out.abnormalCloses} (target 0; ${out.abnormalClosesClient} seen by the generators, ${out.abnormalClosesServer} by the server); ` +
      `${out.closesAsked} closes asked, ${out.reconnects} reconnects (${out.reconnectFailures} failed attempts), ${out.workAcrossReconnect} with work in flight, ` +
      `${out.assignedAfterReconnect} assignments and ${out.offersAfterReconnect} offers re-sent on reconnect, ${out.completesRetried} Completes sent again`,
  );
  console.log(
    `every acknowledged interaction accounted for: ${out.confirmedByDesktops} confirmed by the desktops, ${out.confirmedByQuery} by GetInteraction, unaccounted ${out.unaccounted} (target 0); ` +
      `the queue: ${queue.arrived} arrived, ${queue.completed} completed, ${queue.waiting} waiting, ${queue.offered} offered; subscriber saw ${events.InteractionCompleted ?? 0} completions`,
  );
  console.log(
    `snapshots published ${out.snapshots} (target ≥ 1; every ${SNAPSHOT_EVERY} entries, ${out.journalEntries} journaled), failed ${out.snapshotsFailed}; ` +
      `the replica took ${f(out.snapshotCopyMeanMs)} ms on average to copy its engine (in its own thread) (the last one ${f(out.snapshotBytes / 2 ** 20)} MB encoded)`,
  );
  console.log(
    `the server's longest event-loop delay per row from ${f(out.eventLoopDelayMaxMsMin)} to ${f(out.eventLoopDelayMaxMsMax)} ms; ` +
      `the machine's load average from ${f(out.loadAverageMin, 2)} to ${f(out.loadAverageMax, 2)} (two cores: above 2, processes wait for a core); ` +
      `the slowest /metrics answer ${f(out.scrapeMaxMs)} ms, ${out.scrapeFailures} unanswered`,
  );
  console.log(
    `CPU over the run: server ${f(out.serverCpuPercent)}% of a core; generators ${Object.entries(out.generatorsCpuPercent)
      .map(([n, v]) => `${n} ${f(v)}%`)
      .join(', ')} (two cores: 200%)`,
  );
  console.log(out.ok ? 'behaviour targets met' : `FAILED: ${failures.join('; ')}`);
}
process.exit(out.ok ? 0 : 1);
