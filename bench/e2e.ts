/**
 * End-to-end benchmark: the real server in its own process, agent desktops and a platform in
 * separate load-generator processes, and in the same run a raw uWebSockets.js echo baseline and
 * the relay floor (relay-server.ts: the same generators against a server that only carries the
 * frames, so the server's figures can be read against what the machine charges for them).
 *
 *   npm run bench:e2e                       5,000 agents, 5,000 submits/s, then saturation
 *   npm run bench:e2e -- --json             one JSON object
 *   npm run bench:e2e -- --store redis      memory and the redis store side by side (its own
 *                                           redis-server; --appendfsync always|everysec), then
 *                                           the recovery benchmark (--recovery-waiting N, default
 *                                           1,000,000 waiting interactions)
 *   flags: --agents N --rate R --warmup-seconds S --seconds S --saturation-seconds S --window W --workers K
 *          --echo-connections C --pad BYTES --await-accept (agents wait for the Accept's answer
 *          before they Complete instead of sending both at once) --encoding json|msgpack (the
 *          agents' and platform's frames; json by default) --no-coalesce (every frame of the
 *          agents and the platform is its own write; by default a generator's frames of one
 *          event-loop turn leave in one write)
 *   npm run bench:e2e -- --feed             the memory store three times: as it is, with a subscriber
 *                                           reading every event, and with a webhook receiving every
 *                                           event (a local receiver): the event feed's cost
 *   E2E_SERVER_FLAGS="--trace-gc" passes node flags to the server process (and shows its stdout);
 *   E2E_SERVER_ARGS="--history-kept 1000" adds options to its command line;
 *   E2E_WORKER_FLAGS does the same for the load generators.
 *
 * A routed interaction is submit → offer → accept → complete (each with its response).
 * Submit-to-offer latency is measured from the platform's submit to the agent's receipt of the
 * offer, on the system monotonic clock shared by the processes. The generators are checked not
 * to be the bottleneck by reporting their own CPU time beside the server's.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { TokenVerifier } from '../src/transport/auth.ts';
import { environment, flags, numbers, percentile } from './common.ts';
import { type FeedConsumer, subscriber, webhookReceiver } from './feed-consumers.ts';
import { benchPath, children, countSyscalls, freePort, generator, procStats, startRedis, tsx, waitReady } from './processes.ts';
import { BENCH_SECRET, forkServer, histogramQuantile, platformSetup, scrape, serverArgs } from './server.ts';

const args = flags(process.argv.slice(2));
const num = numbers(args);
const AGENTS = num('agents', 5000);
const RATE = num('rate', 5000);
const WARMUP_SECONDS = num('warmup-seconds', 2);
const SECONDS = num('seconds', 10);
const SAT_SECONDS = num('saturation-seconds', 10);
const WINDOW = num('window', 2000);
const WORKERS = num('workers', 2);
/** `--await-accept`: agents wait for the Accept's answer before they Complete (one more round trip). */
const AWAIT_ACCEPT = args.has('await-accept');
/**
 * `--no-coalesce`: every frame of the agents and the platform is its own write (by default the
 * frames a generator sends in one turn of its event loop leave in one write).
 */
const COALESCE = !args.has('no-coalesce');
/** `--encoding msgpack`: agents and platform speak MessagePack (JSON by default). */
const ENCODING = (args.get('encoding') ?? 'json') as 'json' | 'msgpack';
const ECHO_CONNECTIONS = num('echo-connections', 100);
/** The p99 submit-to-offer target at the fixed rate, in ms. */
const OFFER_P99_TARGET_MS = 3;
const PAD = num('pad', 100);
const JSON_OUT = args.has('json');
/** `--store redis`: the run is repeated with the redis store (its own redis-server) beside memory. */
const STORE = args.get('store') ?? 'memory';
const APPENDFSYNC = args.get('appendfsync') ?? 'always';
/** The leader lease of the redis run (--lease-ms; the server's default is 3,000). */
const LEASE_MS = num('lease-ms', 1000);
const RECOVERY_WAITING = num('recovery-waiting', 1_000_000);
/** `--feed`: the memory store also with a subscriber and with a webhook reading every event. */
const FEED = args.has('feed');
type FeedMode = 'none' | 'subscriber' | 'webhook';
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};
const worker = (task: { role: string; [k: string]: unknown }) => generator('e2e-worker', task);

/** A baseline server of bench/ (echo-server, relay-server) on a port of its own; resolves once it listens. */
async function forkListening(name: string): Promise<{ server: ChildProcess; port: number }> {
  const server = fork(benchPath(name), [], { execArgv: tsx });
  children.add(server);
  const port = await new Promise<number>((resolve) => server.once('message', (m: { listening: number }) => resolve(m.listening)));
  return { server, port };
}

/**
 * One run of the generators against a server: Switchboard with the `store` given, or with
 * `relay` the floor (relay-server.ts), which has no tenant to set up and no metrics to read.
 */
async function runServer(store: 'memory' | 'redis' | 'relay', feed: FeedMode = 'none'): Promise<Record<string, number>> {
  const relay = store === 'relay' ? await forkListening('relay-server') : null;
  const port = relay ? relay.port : await freePort();
  const redis = store === 'redis' ? await startRedis(APPENDFSYNC) : null;
  const launch = serverArgs(port, AGENTS + 100, [
    ...(redis ? ['--store', 'redis', '--redis-url', redis.url, '--lease-ms', String(LEASE_MS)] : []),
    ...(feed === 'webhook' ? ['--webhooks-allow-private', 'true'] : []),
    ...(process.env.E2E_SERVER_ARGS ? process.env.E2E_SERVER_ARGS.split(' ').filter(Boolean) : []),
  ]);
  const server = relay ? relay.server : forkServer(launch);
  const url = `ws://127.0.0.1:${port}`;
  const verifier = new TokenVerifier(BENCH_SECRET);
  if (!relay) {
    await waitReady(port);
    await platformSetup(
      url,
      await verifier.sign({ tenant: 'bench', role: 'platform' }, 3600),
      { id: 'q', offerTimeoutMs: 600_000, escalateAfterMs: null },
      Array.from({ length: AGENTS }, (_, i) => `a${i}`),
    );
  }
  let consumer: FeedConsumer | null = null;
  if (feed === 'subscriber') consumer = await subscriber(url, await verifier.sign({ tenant: 'bench', role: 'supervisor' }, 3600));
  if (feed === 'webhook') {
    const receiver = await webhookReceiver();
    consumer = receiver;
    const answer = await fetch(`http://127.0.0.1:${port}/v1/requests/UpsertWebhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await verifier.sign({ tenant: 'bench', role: 'platform' }, 3600)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhookId: 'bench', url: receiver.url, secret: 'bench-webhook-secret-0123' }),
    });
    if (!answer.ok) throw new Error(`UpsertWebhook: ${answer.status} ${await answer.text()}`);
  }
  const per = Math.ceil(AGENTS / WORKERS);
  const agentWorkers: ReturnType<typeof worker>[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const tokens = await Promise.all(
      Array.from({ length: Math.max(0, Math.min(per, AGENTS - w * per)) }, (_, i) =>
        verifier.sign({ tenant: 'bench', role: 'agent', sub: `a${w * per + i}` }, 3600),
      ),
    );
    agentWorkers.push(worker({ role: 'agents', url, tokens, awaitAccept: AWAIT_ACCEPT, coalesce: COALESCE, encoding: ENCODING }));
  }
  await Promise.all(agentWorkers.map((w) => w.next()));
  log(`${AGENTS} agents connected in ${WORKERS} processes`);
  const before = procStats(server.pid!);
  const syscalls = countSyscalls(server.pid!);
  const t0 = performance.now();
  const platform = worker({
    role: 'platform',
    url,
    encoding: ENCODING,
    coalesce: COALESCE,
    token: await verifier.sign({ tenant: 'bench', role: 'platform' }, 3600),
    rate: RATE,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
    saturationSeconds: SAT_SECONDS,
    window: WINDOW,
    padBytes: PAD,
    idPrefix: 'i',
  });
  // The platform says when saturation starts: CPU from there to its report is the saturated figure.
  await platform.next();
  // The redis-server's CPU last (the redis run): what the durable store costs beside the server's own.
  const cpuOf = () =>
    [server.pid!, platform.child.pid!, ...agentWorkers.map((w) => w.child.pid!), ...(redis ? [redis.pid] : [])].map((pid) => procStats(pid).cpuMs);
  const satCpuStart = cpuOf();
  const satT0 = performance.now();
  const p = await platform.next();
  const satCpuEnd = cpuOf();
  const satWall = (performance.now() - satT0) / 1000;
  const satPercent = satCpuEnd.map((ms, i) => ((ms - satCpuStart[i]) / 1000 / satWall) * 100);
  const platformCpuMs = procStats(platform.child.pid!).cpuMs;
  await new Promise((r) => setTimeout(r, 1000)); // let the last offers and completes land
  const wall = (performance.now() - t0) / 1000;
  const after = procStats(server.pid!);
  const calls = await syscalls.stop();
  const genCpu = agentWorkers.map((w) => procStats(w.child.pid!).cpuMs).concat(platformCpuMs);
  for (const w of agentWorkers) w.child.send({ report: true, slowMs: OFFER_P99_TARGET_MS });
  const reports = await Promise.all(agentWorkers.map((w) => w.next()));
  const exposition = relay ? '' : await scrape(port);
  const extra: Record<string, number> = {};
  if (consumer) {
    // The consumer must have kept up: every event numbered (but those of the last second) reached it.
    const lastSeq = Number(/^switchboard_event_feed_seq\{[^}]*which="last"[^}]*\} (\S+)$/m.exec(exposition)?.[1] ?? Number.NaN);
    extra.feedEventsReceived = consumer.events();
    extra.feedLastSeq = lastSeq;
    extra.feedConsumerBehind = lastSeq - consumer.last();
    await consumer.close();
  }
  if (redis) {
    const entries = Number(/^switchboard_journal_batch_entries_sum (\S+)$/m.exec(exposition)?.[1] ?? Number.NaN);
    const spawnServer = async (p: number) => {
      return forkServer(
        launch.map((a, i) => (launch[i - 1] === '--port' ? String(p) : a)),
        ['ignore', 'ignore', 'inherit', 'ipc'],
      );
    };
    const kill = async (c: ChildProcess) => {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    };
    // Failover: a standby follows the journal; the leader is killed; time until the standby is ready.
    const standbyPort = await freePort();
    const standby = await spawnServer(standbyPort);
    await waitReady(standbyPort, '/healthz');
    await new Promise((r) => setTimeout(r, 1000)); // let it catch up with the journal
    let t = performance.now();
    await kill(server);
    await waitReady(standbyPort);
    const failoverMs = performance.now() - t;
    // Cold restart: the standby killed too, its lease released as if it had lapsed, a new
    // process recovers this run's tenant (snapshot and journal); time until it is ready.
    await kill(standby);
    await new Promise<void>((resolve) => {
      const c = spawn('redis-cli', ['-p', String(redis.port), 'DEL', 'sb:lease:default'], { stdio: 'ignore' });
      c.on('exit', () => resolve());
    });
    t = performance.now();
    const again = await spawnServer(port);
    await waitReady(port);
    const recoveryMs = performance.now() - t;
    again.kill('SIGKILL');
    redis.stop();
    Object.assign(extra, {
      journalWriteP50Ms: histogramQuantile(exposition, 'switchboard_journal_write_seconds', 0.5) * 1000,
      journalWriteP99Ms: histogramQuantile(exposition, 'switchboard_journal_write_seconds', 0.99) * 1000,
      journalBatchMean: entries / Number(/^switchboard_journal_batch_entries_count (\S+)$/m.exec(exposition)?.[1] ?? Number.NaN),
      journalEntries: entries,
      restartMs: recoveryMs,
      failoverMs,
    });
  } else server.kill('SIGTERM');
  const ack = (p.ackLat as number[]) ?? [];
  const fixed = reports.flatMap((r) => (r.lat as Record<string, number[]>).fixed ?? []);
  const sat = reports.flatMap((r) => (r.lat as Record<string, number[]>).saturation ?? []);
  const completed = reports.reduce((a, r) => a + (r.completed as number), 0);
  const slow = reports.reduce((a, r) => a + (r.slow as number), 0);
  const slowBehindGc = reports.reduce((a, r) => a + (r.slowBehindGc as number), 0);
  const satSeconds = p.saturationSeconds as number;
  return {
    agents: AGENTS,
    fixedRatePerSec: RATE,
    fixedSubmitted: p.fixedSubmitted as number,
    submitToOfferP50Ms: percentile(fixed, 50),
    submitToOfferP99Ms: percentile(fixed, 99),
    submitToOfferMaxMs: percentile(fixed, 100),
    // Offers at the fixed rate slower than the target, and the share of them that were in flight
    // while the receiving generator process was paused for garbage collection.
    submitToOfferSlowCount: slow,
    submitToOfferSlowShareBehindGeneratorGc: slow === 0 ? 0 : slowBehindGc / slow,
    generatorGcPauseMaxMs: Math.max(...reports.map((r) => r.gcMaxMs as number)),
    saturationSubmitToOfferP50Ms: percentile(sat, 50),
    saturationSubmitToOfferP99Ms: percentile(sat, 99),
    saturationSubmitToOfferMaxMs: percentile(sat, 100),
    routedPerSec: sat.length / satSeconds,
    // The server's CPU (user + system) per interaction routed at saturation.
    serverCpuUsPerRouted: ((satCpuEnd[0] - satCpuStart[0]) * 1000) / sat.length,
    ...(redis ? { redisServerCpuUsPerRouted: ((satCpuEnd[satCpuEnd.length - 1] - satCpuStart[satCpuStart.length - 1]) * 1000) / sat.length } : {}),
    completed,
    refused: p.refused as number,
    serverCpuPercent: ((after.cpuMs - before.cpuMs) / 1000 / wall) * 100,
    rssMb: after.rssMb,
    serverCpuPercentSaturation: satPercent[0],
    generatorsCpuPercentSaturation: satPercent.slice(1, 2 + agentWorkers.length).reduce((a, b) => a + b, 0),
    ...(redis ? { redisServerCpuPercentSaturation: satPercent[satPercent.length - 1] } : {}),
    // Over the fixed-rate and saturation phases together: the server's system calls per routed
    // interaction (uWS sends with sendto and receives with recvfrom; with the redis store the
    // journal's traffic goes through write/writev/read). NaN without perf.
    serverSendCallsPerRouted: calls.sendto / completed,
    serverRecvCallsPerRouted: calls.recvfrom / completed,
    serverEpollWaitsPerRouted: calls.epoll_pwait / completed,
    serverOtherIoCallsPerRouted: (calls.write + calls.writev + calls.read) / completed,
    generatorCpuPercentMax: Math.max(...genCpu.map((ms) => (ms / 1000 / wall) * 100)),
    submitToAckP50Ms: percentile(ack, 50),
    submitToAckP99Ms: percentile(ack, 99),
    ...extra,
  };
}

async function runEcho(): Promise<Record<string, number>> {
  const { server, port } = await forkListening('echo-server');
  const bytes = 150 + PAD; // about the size of a submit frame
  const ws = Array.from({ length: WORKERS }, () =>
    worker({ role: 'echo', url: `ws://127.0.0.1:${port}`, connections: Math.ceil(ECHO_CONNECTIONS / WORKERS), window: 8, seconds: SAT_SECONDS, bytes }),
  );
  const cpuBefore = procStats(server.pid!).cpuMs;
  const reps = await Promise.all(ws.map((w) => w.next()));
  const cpuMs = procStats(server.pid!).cpuMs - cpuBefore;
  server.kill('SIGTERM');
  const perSec = reps.reduce((a, r) => a + (r.received as number) / (r.seconds as number), 0);
  const echoed = reps.reduce((a, r) => a + (r.received as number), 0);
  // The echo server's CPU per message echoed (received and sent back), same run.
  return { baselineEchoPerSec: perSec, echoMessageBytes: bytes, echoServerCpuUsPerMessage: (cpuMs * 1000) / echoed };
}

const env = environment();
log(`switchboard bench:e2e  git ${env.git}  node ${env.node}  ${env.cpu} ×${env.cores}`);
const sb = await runServer('memory');
/** --feed: the same run with a subscriber, then with a webhook, reading every event. */
const withSubscriber = FEED ? await runServer('memory', 'subscriber') : null;
const withWebhook = FEED ? await runServer('memory', 'webhook') : null;
const rd = STORE === 'redis' ? await runServer('redis') : null;
const echo = await runEcho();
/** The relay floor: the same generators against a server that only carries the frames. */
const floor = await runServer('relay');
/** With the redis store, the recovery benchmark (a million waiting interactions by default) too. */
async function runRecovery(): Promise<Record<string, unknown>> {
  const child = fork(benchPath('recovery'), ['--json', '--waiting', String(RECOVERY_WAITING)], {
    execArgv: [...tsx, '--max-old-space-size=12288'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}
const recovery = rd ? await runRecovery() : null;
/** With the redis store, BullMQ on a redis-server of the same settings: jobs per second end to end. */
async function runBullmq(): Promise<number> {
  const redis = await startRedis(APPENDFSYNC);
  try {
    const child = fork(benchPath('bullmq-baseline'), ['--redis', redis.url, '--seconds', String(SAT_SECONDS)], { execArgv: tsx });
    children.add(child);
    const m = await new Promise<{ baselineBullmqJobsPerSec: number }>((resolve) => child.once('message', resolve));
    return m.baselineBullmqJobsPerSec;
  } finally {
    redis.stop();
  }
}
const bullmq = rd ? await runBullmq() : null;
const result = {
  ...env,
  agentsAwaitAccept: AWAIT_ACCEPT,
  generatorWritesCoalesced: COALESCE,
  encoding: ENCODING,
  ...sb,
  ...echo,
  routedShareOfEcho: sb.routedPerSec / echo.baselineEchoPerSec,
  // The relay floor, same run: what the frames and writes of a routed interaction cost alone.
  floorRoutedPerSec: floor.routedPerSec,
  floorServerCpuUsPerRouted: floor.serverCpuUsPerRouted,
  floorSubmitToOfferP99Ms: floor.submitToOfferP99Ms,
  floorServerSendCallsPerRouted: floor.serverSendCallsPerRouted,
  serverCpuUsAboveFloor: sb.serverCpuUsPerRouted - floor.serverCpuUsPerRouted,
  ...(withSubscriber && withWebhook
    ? {
        feed: {
          routedPerSecPlain: sb.routedPerSec,
          routedPerSecSubscriber: withSubscriber.routedPerSec,
          routedPerSecWebhook: withWebhook.routedPerSec,
          subscriberCostShare: 1 - withSubscriber.routedPerSec / sb.routedPerSec,
          webhookCostShare: 1 - withWebhook.routedPerSec / sb.routedPerSec,
          serverCpuUsPerRoutedPlain: sb.serverCpuUsPerRouted,
          serverCpuUsPerRoutedSubscriber: withSubscriber.serverCpuUsPerRouted,
          serverCpuUsPerRoutedWebhook: withWebhook.serverCpuUsPerRouted,
          subscriberEvents: withSubscriber.feedEventsReceived,
          subscriberBehind: withSubscriber.feedConsumerBehind,
          webhookEvents: withWebhook.feedEventsReceived,
          webhookBehind: withWebhook.feedConsumerBehind,
        },
      }
    : {}),
  targets: {
    routedShareOfEcho: 0.1,
    submitToOfferP99Ms: OFFER_P99_TARGET_MS,
    serverCpuUsPerRouted: 30,
    ...(rd ? { redisShareOfMemory: 0.5, submitToAckP99Ms: 10, failoverMs: 3000, recoveryMsPerMillion: 15000, routedPerSecRedisOverBullmq: 2 } : {}),
  },
  ...(rd
    ? {
        appendfsync: APPENDFSYNC,
        routedPerSecMemory: sb.routedPerSec,
        routedPerSecRedis: rd.routedPerSec,
        redis: rd,
        submitToAckP99Ms: rd.submitToAckP99Ms,
        submitToAckP99MsMemory: sb.submitToAckP99Ms,
        journalWriteP99Ms: rd.journalWriteP99Ms,
        recoveryMsPerMillion: recovery!.recoveryMsPerMillion as number,
        baselineBullmqJobsPerSec: bullmq!,
        routedPerSecRedisOverBullmq: rd.routedPerSec / bullmq!,
        // What the memory store, which journals nothing, routes against BullMQ in the same run:
        // the durable rate's ceiling (the redis store adds the journal to the same work).
        routedPerSecMemoryOverBullmq: sb.routedPerSec / bullmq!,
        recovery,
        failoverMs: rd.failoverMs,
      }
    : {}),
};
if (JSON_OUT) console.log(JSON.stringify(result));
else {
  console.table({
    [`fixed ${RATE}/s`]: { 'p50 ms': sb.submitToOfferP50Ms.toFixed(2), 'p99 ms': sb.submitToOfferP99Ms.toFixed(2), 'max ms': sb.submitToOfferMaxMs.toFixed(1) },
    saturation: {
      'p50 ms': sb.saturationSubmitToOfferP50Ms.toFixed(2),
      'p99 ms': sb.saturationSubmitToOfferP99Ms.toFixed(2),
      'max ms': sb.saturationSubmitToOfferMaxMs.toFixed(1),
    },
  });
  console.log(
    `routed/s at saturation ${Math.round(sb.routedPerSec)}; echo baseline ${Math.round(echo.baselineEchoPerSec)} msgs/s (${echo.echoMessageBytes} B); ` +
      `routed = ${(100 * result.routedShareOfEcho).toFixed(1)}% of echo (target ≥ 10%); p99 submit-to-offer at ${RATE}/s ${sb.submitToOfferP99Ms.toFixed(2)} ms (target < ${OFFER_P99_TARGET_MS}); ` +
      `server CPU ${sb.serverCpuUsPerRouted.toFixed(1)} µs per routed (target ≤ 30; the echo server ${echo.echoServerCpuUsPerMessage.toFixed(1)} µs per message)`,
  );
  console.log(
    `relay floor (the same frames, no routing): ${Math.round(floor.routedPerSec)} routed/s, ${floor.serverCpuUsPerRouted.toFixed(1)} µs of server CPU per routed, ` +
      `p99 submit-to-offer at ${RATE}/s ${floor.submitToOfferP99Ms.toFixed(2)} ms, ${floor.serverSendCallsPerRouted.toFixed(2)} sendto per routed; ` +
      `Switchboard ${result.serverCpuUsAboveFloor.toFixed(1)} µs per routed above it`,
  );
  if (withSubscriber && withWebhook) {
    console.table({
      plain: { 'routed/s': Math.round(sb.routedPerSec), 'server µs/routed': sb.serverCpuUsPerRouted.toFixed(1) },
      'a subscriber': {
        'routed/s': Math.round(withSubscriber.routedPerSec),
        'server µs/routed': withSubscriber.serverCpuUsPerRouted.toFixed(1),
        'events read': withSubscriber.feedEventsReceived,
        behind: withSubscriber.feedConsumerBehind,
      },
      'a webhook': {
        'routed/s': Math.round(withWebhook.routedPerSec),
        'server µs/routed': withWebhook.serverCpuUsPerRouted.toFixed(1),
        'events read': withWebhook.feedEventsReceived,
        behind: withWebhook.feedConsumerBehind,
      },
    });
  }
  if (rd) {
    console.table({
      memory: { 'routed/s': Math.round(sb.routedPerSec), 'ack p99 ms': sb.submitToAckP99Ms.toFixed(2), 'offer p99 ms': sb.submitToOfferP99Ms.toFixed(2) },
      [`redis (appendfsync ${APPENDFSYNC})`]: {
        'routed/s': Math.round(rd.routedPerSec),
        'ack p99 ms': rd.submitToAckP99Ms.toFixed(2),
        'offer p99 ms': rd.submitToOfferP99Ms.toFixed(2),
      },
    });
    console.log(
      `redis/memory ${((100 * rd.routedPerSec) / sb.routedPerSec).toFixed(0)}% (target ≥ 50%); submit-to-ack p99 at ${RATE}/s ${rd.submitToAckP99Ms.toFixed(2)} ms (target < 10); ` +
        `journal write p50/p99 ≤ ${rd.journalWriteP50Ms} / ${rd.journalWriteP99Ms} ms (bucket bounds), ${rd.journalBatchMean.toFixed(1)} entries a write; ` +
        `restart after this run (${rd.journalEntries} entries journaled) ${Math.round(rd.restartMs)} ms; failover to the standby ${Math.round(rd.failoverMs)} ms with a ${LEASE_MS} ms lease (target < 3,000); ` +
        `recovery of ${Number(recovery!.waiting).toLocaleString('en')} waiting interactions from snapshot and journal ${Math.round(recovery!.recoveryMs as number)} ms (${Math.round(recovery!.recoveryMsPerMillion as number)} ms per million; target < 15,000); ` +
        `BullMQ on the same Redis settings ${Math.round(bullmq!)} jobs/s end to end, durable routed ${(rd.routedPerSec / bullmq!).toFixed(2)}× that (target ≥ 2×; the memory store ${(sb.routedPerSec / bullmq!).toFixed(2)}×)`,
    );
  }
  console.log(
    `offers over ${OFFER_P99_TARGET_MS} ms at ${RATE}/s: ${sb.submitToOfferSlowCount} of ${sb.fixedSubmitted}; ${(100 * sb.submitToOfferSlowShareBehindGeneratorGc).toFixed(0)}% of them were in flight while the receiving generator paused for garbage collection (its longest pause ${sb.generatorGcPauseMaxMs.toFixed(1)} ms)`,
  );
  console.log(
    `server system calls per routed interaction: ${sb.serverSendCallsPerRouted.toFixed(2)} sendto, ${sb.serverRecvCallsPerRouted.toFixed(2)} recvfrom, ${sb.serverEpollWaitsPerRouted.toFixed(2)} epoll_pwait, ${sb.serverOtherIoCallsPerRouted.toFixed(2)} read/write/writev (perf; NaN without it)`,
  );
  console.log(
    `at saturation: server ${sb.serverCpuPercentSaturation.toFixed(0)}% of a core, load generators ${sb.generatorsCpuPercentSaturation.toFixed(0)}% together (two cores: 200%)`,
  );
  console.log(
    `server CPU ${sb.serverCpuPercent.toFixed(0)}%, RSS ${sb.rssMb.toFixed(0)} MB; busiest generator process ${sb.generatorCpuPercentMax.toFixed(0)}% CPU; ${sb.completed} completed, ${sb.refused} refused`,
  );
}
