/**
 * The server's own share of a routed interaction, in one process and without sockets: the path
 * a frame takes from the transport's `message` handler (rate limit, decode, validation,
 * `Shell.handle`) through the engine, the event feed, histories and metrics, to the outbox that
 * encodes each answer and push, with the server's options and a memory store. What uWebSockets.js
 * and the kernel charge for carrying the frames is left out: that is the floor bench:e2e
 * measures. Figures are steadier here than end to end (no other process shares the cores), so a
 * change to the server's code can be compared with the commit before it in a few runs.
 *
 *   npm run bench:shell                       5,000 agents, 300,000 routed interactions
 *   npm run bench:shell -- --json             one JSON object
 *   flags: --agents N --routed N --batch B (submissions per turn) --encoding json|msgpack --pad BYTES
 *          --profile FILE (a V8 CPU profile of the measured part) --survived FILE, --retained FILE
 *          (sampled heap profiles of what it allocated that outlived a scavenge, or is still live
 *          at its end) --history-kept N --events-retained N
 *          (the server's --history-kept and --events-retained; their defaults otherwise)
 *
 * A routed interaction is what bench:e2e's generators send and receive: the platform's submit
 * (its context padded as theirs is), the offer pushed to the agent, the agent's Accept and
 * Complete in one turn, their answers and the `assigned` push. Each turn the platform submits
 * `batch` interactions and the agents offered in the turn before accept and complete them; the
 * outbox releases each turn's frames as the server's does. Client work (building the requests,
 * finding the offers' ids in the bytes sent) is timed apart and taken out of the figure;
 * `usPerRouted` is the process's CPU time (all threads: the collector's helpers too) per
 * routed interaction. The same run measures the codec floor after it (`codecFloorUsPerRouted`):
 * only decoding the three requests and encoding the five frames of each routed interaction, with
 * the server's codec, as any server in Node must; `usAboveCodecFloor` is the server's own share
 * above it, comparable from one hour to the next where the absolute figures are not. Last, the
 * same routed interactions as engine calls alone on a fresh engine (`engineUsPerRouted`): the
 * part of the share above the codec floor that only the engine's own code can take away.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pack, unpack } from 'msgpackr';
import { Engine } from '../src/engine/engine.ts';
import type { Command, EngineEvent } from '../src/engine/types.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { DEFAULT_FRAME_LIMITS, decodeFrame, type Encoding, encodeFrame } from '../src/protocol/codec.ts';
import { parseRequest } from '../src/protocol/schemas.ts';
import type { Principal } from '../src/shell/ports.ts';
import { Shell } from '../src/shell/shell.ts';
import { Outbox } from '../src/transport/outbox.ts';
import { takeToken } from '../src/transport/rate-limit.ts';
import { type Conn, SessionImpl } from '../src/transport/session.ts';
import { environment, flags, numbers } from './common.ts';

const args = flags(process.argv.slice(2));
const num = numbers(args);
const AGENTS = num('agents', 5_000);
const ROUTED = num('routed', 300_000);
const BATCH = num('batch', 50);
const PAD = num('pad', 100);
const ENCODING = (args.get('encoding') ?? 'json') as Encoding;
const JSON_OUT = args.has('json');
const PROFILE = args.get('profile');
/**
 * `--survived FILE`: a sampled heap profile of what the measured part allocated that outlived a
 * young-generation collection (what the scavenger had to copy); `--retained FILE`: of what it
 * allocated that is still live at its end.
 */
const SURVIVED = args.get('survived');
const RETAINED = args.get('retained');
const HEAP_PROFILE = SURVIVED ?? RETAINED;
const LIMIT = { messagesPerSecond: 100_000, messageBurst: 100_000 };

const metrics = new Metrics({ serviceLevelWindowMs: 60_000 });
const shell = new Shell({
  ordering: 'fifo',
  agentSelection: 'longest-idle',
  metrics,
  ...(args.has('history-kept') ? { historyKept: num('history-kept', 0) } : {}),
  ...(args.has('events-retained') ? { eventsRetained: num('events-retained', 0) } : {}),
});
const outbox = new Outbox(shell, 16 * 1024 * 1024, metrics);
const enc = new TextEncoder();

/** The run's one queue (offers never time out within it). */
const QUEUE = { id: 'q', offerTimeoutMs: 600_000, escalateAfterMs: null };
/** The `k`th submission of the run, its context padded as bench:e2e's generators pad theirs. */
const submission = (id: string, k: number, pad: string) => ({ id, channel: 'voice', queue: 'q', context: { t: k, phase: 'saturation', pad } });

/** A connection as uWebSockets.js hands it to the server: what is written is kept for the client. */
interface Desk {
  readonly session: SessionImpl;
  readonly conn: Conn;
  /** What the server wrote to it since the client last read (emptied as it reads). */
  readonly written: (string | Uint8Array)[];
}
let nextId = 1;
function connect(principal: Principal): Desk {
  const conn: Conn = {
    principal,
    encoding: ENCODING,
    session: null,
    tokens: LIMIT.messageBurst,
    refilledAt: Date.now(),
    violations: 0,
    expiry: null,
    closeReason: null,
  };
  const written: (string | Uint8Array)[] = [];
  const ws = {
    getUserData: () => conn,
    cork: (f: () => void) => f(),
    send: (data: string | Uint8Array) => written.push(data),
    getBufferedAmount: () => 0,
    end: () => {},
  };
  const session = new SessionImpl(nextId++, principal, ws as never, outbox.markDirty);
  conn.session = session;
  shell.open(session);
  return { session, conn, written };
}

/** The transport's message handler (ws-server.ts) less its logging of refusals, which it counts instead. */
let refusedFrames = 0;
function receive(d: Desk, bytes: Uint8Array): void {
  const c = d.conn;
  const s = d.session;
  metrics.messageReceived(c.principal.role);
  if (!takeToken(c, LIMIT, Date.now())) throw new Error('rate limited');
  const decoded = decodeFrame(bytes, c.encoding, DEFAULT_FRAME_LIMITS);
  if (!decoded.ok) throw new Error(decoded.reason);
  const parsed = parseRequest(decoded.value, c.principal.role);
  if (!parsed.ok) {
    refusedFrames++;
    return;
  }
  shell.handle(s, parsed.request);
}

const turn = () => new Promise<void>((r) => setImmediate(r));
/** The client's side: a request as bytes on the wire. */
const wire = (frame: unknown): Uint8Array => (ENCODING === 'json' ? enc.encode(JSON.stringify(frame)) : pack(frame));
const text = new TextDecoder();
interface Offer {
  offerId: string;
  interactionId: string;
}
/** The offers in what the server wrote to an agent (the client's parse, kept cheap in JSON). */
function offersIn(written: (string | Uint8Array)[]): Offer[] {
  const out: Offer[] = [];
  for (const w of written) {
    if (ENCODING === 'msgpack') {
      const f = unpack(w as Uint8Array) as Offer & { push?: string };
      if (f.push === 'offer') out.push(f);
      continue;
    }
    const m = typeof w === 'string' ? w : text.decode(w);
    if (m.includes('"push":"offer"')) out.push(JSON.parse(m) as Offer);
  }
  return out;
}

/**
 * The codec floor, in the same run: what only decoding the routed interaction's three requests
 * and encoding its five frames costs, with the server's codec and frames of the same shapes and
 * sizes. No router in Node avoids it; the server's figure is read against it.
 */
function codecFloor(n: number, pad: string): number {
  const cpu0 = process.cpuUsage();
  let clientMs = 0;
  let sink = 0;
  const context = { t: 0, phase: 'saturation', pad };
  for (let k = 0; k < n; k++) {
    const id = `i${k}`;
    const offerId = `o${4194304 + k}`;
    const c0 = performance.now();
    const requests = [
      wire({ id: 3 * k, type: 'SubmitInteraction', interaction: submission(id, k, pad) }),
      wire({ id: 3 * k + 1, type: 'Accept', offerId }),
      wire({ id: 3 * k + 2, type: 'Complete', interactionId: id }),
    ];
    clientMs += performance.now() - c0;
    for (const bytes of requests) if (decodeFrame(bytes, ENCODING, DEFAULT_FRAME_LIMITS).ok) sink++;
    const at = Date.now();
    const frames = [
      { re: 3 * k, ok: true, interactionId: id },
      { push: 'offer', offerId, interactionId: id, expiresAt: at + 600_000, channel: 'voice', queueId: 'q', context },
      { re: 3 * k + 1, ok: true },
      { push: 'assigned', interactionId: id, offerId, since: at, channel: 'voice', queueId: 'q', context },
      { re: 3 * k + 2, ok: true },
    ];
    for (const f of frames) sink += encodeFrame(f, ENCODING).length;
  }
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) throw new Error('unreachable');
  return (cpu.user + cpu.system - clientMs * 1000) / n;
}

/**
 * The engine alone, in the same run: the same routed interactions (one queue, the same agents,
 * batches and contexts, the agents offered in one turn accepting and completing in the next) as
 * engine calls on a fresh engine, with no decoding, validation, shell, feed, histories, metrics
 * or encoding. Part of the server's share that nothing outside the engine takes away.
 */
function engineAlone(n: number, pad: string): number {
  const engine = new Engine({ ordering: 'fifo', agentSelection: 'longest-idle' });
  let offered: EngineEvent[] = [];
  let next: EngineEvent[] = [];
  /** One engine call; its offers are answered next turn. A refusal fails the run: it would measure another one. */
  const call = (cmd: Command, now: number) => {
    const r = engine.apply(cmd, now);
    if (!r.ok) throw new Error(`the engine refused ${cmd.type}: ${r.message}`);
    for (const e of r.events) if (e.type === 'InteractionOffered') next.push(e);
  };
  call({ type: 'UpsertQueue', queue: QUEUE }, Date.now());
  for (let i = 0; i < AGENTS; i++) call({ type: 'UpsertAgent', agent: { id: `a${i}` } }, Date.now());
  for (let i = 0; i < AGENTS; i++) call({ type: 'SetAgentState', agentIds: [`a${i}`], state: 'available' }, Date.now());
  let submitted = 0;
  /** Turns until `count` more interactions were routed; returns how many were. */
  const run = (count: number): number => {
    let routed = 0;
    while (routed < count) {
      const now = Date.now();
      for (const e of offered) {
        const o = e as Extract<EngineEvent, { type: 'InteractionOffered' }>;
        call({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId }, now);
        call({ type: 'CompleteInteraction', agentId: o.agentId, interactionId: o.interactionId }, now);
        routed++;
      }
      for (let i = 0; i < BATCH; i++) {
        submitted++;
        call({ type: 'SubmitInteraction', interaction: submission(`e${submitted}`, submitted, pad) }, now);
      }
      offered = next;
      next = [];
    }
    return routed;
  };
  run(Math.floor(n / 10));
  const cpu0 = process.cpuUsage();
  const routed = run(n);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / routed;
}

async function main(): Promise<void> {
  const tenant = 'bench';
  const platform = connect({ tenant, role: 'platform', agentId: null, expiresAt: Number.POSITIVE_INFINITY });
  let rid = 1;
  receive(platform, wire({ id: rid++, type: 'UpsertQueue', queue: QUEUE }));
  for (let i = 0; i < AGENTS; i++) receive(platform, wire({ id: rid++, type: 'UpsertAgent', agent: { id: `a${i}` } }));
  await turn();
  const agents = Array.from({ length: AGENTS }, (_, i) => connect({ tenant, role: 'agent', agentId: `a${i}`, expiresAt: Number.POSITIVE_INFINITY }));
  for (const a of agents) receive(a, wire({ id: rid++, type: 'SetState', state: 'available' }));
  await turn();
  for (const a of agents) a.written.length = 0;
  platform.written.length = 0;
  const pad = 'x'.repeat(PAD);
  let submitted = 0;
  let clientMs = 0;
  let routed = 0;
  let offeredLast: Desk[] = [];
  /** One turn: the agents offered last turn accept and complete; the platform submits a batch. */
  const step = (measuring: boolean): void => {
    const c0 = performance.now();
    const work: [Desk, Uint8Array][] = [];
    for (const a of offeredLast) {
      for (const o of offersIn(a.written)) {
        work.push([a, wire({ id: rid++, type: 'Accept', offerId: o.offerId })]);
        work.push([a, wire({ id: rid++, type: 'Complete', interactionId: o.interactionId })]);
        routed++;
      }
      a.written.length = 0;
    }
    for (let i = 0; i < BATCH; i++) {
      submitted++;
      work.push([platform, wire({ id: rid++, type: 'SubmitInteraction', interaction: submission(`i${submitted}`, submitted, pad) })]);
    }
    platform.written.length = 0;
    if (measuring) clientMs += performance.now() - c0;
    for (const [d, bytes] of work) receive(d, bytes);
  };
  // Warm-up: a tenth of the run, not measured.
  const warm = Math.max(BATCH, Math.floor(ROUTED / 10));
  while (routed < warm) {
    step(false);
    await turn();
    // The offers of the turn just released are what the next step reads.
    offeredLast = agents.filter((a) => a.written.length > 0);
  }
  const profiler = PROFILE || HEAP_PROFILE ? new Session() : null;
  if (profiler) profiler.connect();
  if (PROFILE) {
    await profiler!.post('Profiler.enable');
    await profiler!.post('Profiler.start');
  }
  if (HEAP_PROFILE) {
    await profiler!.post('HeapProfiler.enable');
    // Objects a scavenge collected are always left out; with SURVIVED those a full collection
    // collected later are kept.
    await profiler!.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: SURVIVED !== undefined,
      includeObjectsCollectedByMinorGC: false,
    } as never);
  }
  routed = 0;
  clientMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (routed < ROUTED) {
    step(true);
    await turn();
    const c0 = performance.now();
    offeredLast = agents.filter((a) => a.written.length > 0);
    clientMs += performance.now() - c0;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (PROFILE) {
    const { profile } = await profiler!.post('Profiler.stop');
    writeFileSync(PROFILE, JSON.stringify(profile));
  }
  if (HEAP_PROFILE) {
    const { profile } = await profiler!.post('HeapProfiler.stopSampling');
    writeFileSync(HEAP_PROFILE, JSON.stringify(profile));
  }
  const live = shell.counts(tenant)?.interactions ?? 0;
  codecFloor(Math.floor(ROUTED / 10), pad);
  const floorUsPerRouted = codecFloor(ROUTED, pad);
  // Read before the engine-alone run, whose engine adds to the heap.
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  const engineUsPerRouted = engineAlone(ROUTED, pad);
  const cpuUs = cpu.user + cpu.system;
  const usPerRouted = (cpuUs - clientMs * 1000) / routed;
  const result = {
    ...environment(),
    encoding: ENCODING,
    agents: AGENTS,
    batch: BATCH,
    routed,
    /** Interactions submitted that ended (completed), warm-up included: all but the last turns'. */
    completed: submitted - live,
    usPerRouted,
    clientUsPerRouted: (clientMs * 1000) / routed,
    /** The codec floor's figure, and the server's share above it. */
    codecFloorUsPerRouted: floorUsPerRouted,
    usAboveCodecFloor: usPerRouted - floorUsPerRouted,
    /** The same routed interactions as engine calls alone (part of the share above the codec floor). */
    engineUsPerRouted,
    wallUsPerRouted: (wallMs * 1000) / routed,
    heapMb,
    refusedFrames,
  };
  if (JSON_OUT) console.log(JSON.stringify(result));
  else
    console.log(
      `server share: ${usPerRouted.toFixed(1)} µs CPU per routed interaction (${routed} routed, client ${result.clientUsPerRouted.toFixed(1)} µs taken out, heap ${result.heapMb.toFixed(0)} MB); codec floor ${floorUsPerRouted.toFixed(1)} µs, ${result.usAboveCodecFloor.toFixed(1)} µs above it, of which the engine alone ${engineUsPerRouted.toFixed(1)} µs`,
    );
  shell.stop();
  process.exit(0);
}

void main();
