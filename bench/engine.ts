/**
 * Engine benchmark: routing decisions per second, per-event latency and heap per waiting
 * interaction, at scale, against a naive baseline (linear scan of all waiting interactions)
 * measured in the same run on the same world.
 *
 *   npm run bench:engine                      full scale: 100k agents / 1M waiting
 *   npm run bench:engine -- --quick           small world, seconds
 *   npm run bench:engine -- --json            one JSON object on stdout
 *   npm run bench:engine -- --world rich      routing profiles (three queue levels with delays),
 *                                             selectors with operators and two alternatives per
 *                                             interaction (no naive baseline: it knows none of these)
 *   flags: --agents --profiles --waiting --signatures --decisions --baseline-decisions --seed --csv FILE
 *          --profile FILE (V8 CPU profile of the engine's measured loop only) --skip-small --skip-baseline
 *
 * A decision is one freed agent routed: CompleteInteraction (the agent frees, the engine picks
 * the best head among its eligible signatures and offers it), then AcceptOffer, then a new
 * SubmitInteraction that keeps the waiting population constant. decisionsPerSec counts whole
 * cycles (three commands); p50Us/p99Us are the latency of the routing command alone.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Bench } from 'tinybench';
import { Engine, type AgentSpec, type Command, type EngineEvent, type InteractionSpec } from '../src/index.ts';
import { environment, flags, numbers, gc, percentile, prng } from './common.ts';

const args = flags(process.argv.slice(2));
const quick = args.has('quick');
const num = numbers(args);
const AGENTS = num('agents', quick ? 5_000 : 100_000);
const PROFILES = num('profiles', quick ? 200 : 1_000);
const WAITING = num('waiting', quick ? 50_000 : 1_000_000);
const SIGNATURES = num('signatures', quick ? 400 : 2_000);
const DECISIONS = num('decisions', quick ? 50_000 : 300_000);
const BASELINE_DECISIONS = num('baseline-decisions', quick ? 500 : 200);
const SEED = num('seed', 42);
const JSON_OUT = args.has('json');
const WORLD = args.get('world') ?? 'plain';
if (WORLD !== 'plain' && WORLD !== 'rich') throw new Error(`--world plain|rich, not ${WORLD}`);
const RICH = WORLD === 'rich';
const CONTEXT_BYTES = 200;
const log = (...a: unknown[]) => {
  if (!JSON_OUT) console.log(...a);
};

// ── the world: signatures are (queue = skill k, min level 1–5, language); profiles have three
//    skills at levels 3–10 and one language. Both sides see a realistic g (≈ 12 signatures per
//    profile).
const LEVELS = 5;
const LANGS = ['en', 'fr'];
const SKILLS = Math.max(1, Math.round(SIGNATURES / (LEVELS * LANGS.length)));

/** What a submission of one requirement class asks (the plain world: skills and labels only). */
type Ask = Pick<InteractionSpec, 'queue' | 'skills' | 'labels' | 'selectors' | 'alternatives'>;

interface World {
  sigs: Ask[];
  agents: AgentSpec[];
}

function buildWorld(rand: () => number): World {
  const sigs: World['sigs'] = [];
  for (let k = 0; k < SKILLS; k++)
    for (let l = 1; l <= LEVELS; l++)
      for (const lang of LANGS)
        sigs.push(
          RICH
            ? // Either skill k at level l, or the next skill at any level with 12 months' tenure;
              // never an agent of the other language.
              {
                queue: `q${k}`,
                selectors: [{ key: 'lang', op: 'ne', value: LANGS[(LANGS.indexOf(lang) + 1) % LANGS.length] }],
                alternatives: [{ skills: { [`s${k}`]: l } }, { skills: { [`s${(k + 1) % SKILLS}`]: 1 }, selectors: [{ key: 'tenure', op: 'gte', value: 12 }] }],
              }
            : { queue: `q${k}`, skills: { [`s${k}`]: l }, labels: { lang } },
        );
  const profiles: Omit<AgentSpec, 'id'>[] = [];
  for (let p = 0; p < PROFILES; p++) {
    const skills: Record<string, number> = {};
    while (Object.keys(skills).length < Math.min(3, SKILLS)) skills[`s${Math.floor(rand() * SKILLS)}`] = 3 + Math.floor(rand() * 8);
    if (!RICH) {
      profiles.push({ skills, labels: { lang: LANGS[p % LANGS.length] } });
      continue;
    }
    // Routing profile: the queues of its skills, and of the next skill (the second
    // alternative), at three levels; worse levels' work competes after 30 s and 60 s.
    const queues: Record<string, { priority: number; delayMs: number }> = {};
    Object.keys(skills).forEach((s, i) => {
      const k = Number(s.slice(1));
      queues[`q${k}`] ??= { priority: 1 + i, delayMs: i * 30_000 };
      queues[`q${(k + SKILLS - 1) % SKILLS}`] ??= { priority: 3, delayMs: 60_000 };
    });
    profiles.push({ skills, labels: { lang: LANGS[p % LANGS.length], tenure: Math.floor(rand() * 24) }, queues });
  }
  const agents: AgentSpec[] = [];
  for (let i = 0; i < AGENTS; i++) agents.push({ id: `a${i}`, ...profiles[i % PROFILES] });
  return { sigs, agents };
}

function context(i: number): { note: string } {
  // A flat (not concatenated) one-byte string of CONTEXT_BYTES characters, unique per interaction.
  const b = Buffer.alloc(CONTEXT_BYTES, 97 + (i % 26));
  b.write(String(i));
  return { note: b.toString('latin1') };
}

/** JS heap plus typed-array memory (the engine keeps per-slot data in typed arrays). */
function heapUsed(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface Figures {
  decisionsPerSec: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  agents: number;
  profiles: number;
  waitingInteractions: number;
  signatures: number;
  heapBytesPerWaitingInteraction: number;
  eligibleSignaturesPerProfile: number;
  decisions: number;
  /** Mean time per command in the measured cycle (engine only). */
  commandMeanUs?: { complete: number; accept: number; submit: number };
}

// ── the engine ────────────────────────────────────────────────────────────────────────────

async function runEngine(world: World, rand: () => number): Promise<Figures> {
  const engine = new Engine({ ordering: 'service-objective', agentSelection: 'longest-idle', limits: { maxInteractions: 10_000_000, maxAgents: 1_000_000 } });
  let now = 0;
  const must = (cmd: Command): EngineEvent[] => {
    const r = engine.apply(cmd, now);
    if (!r.ok) throw new Error(`${cmd.type}: ${r.code} ${r.message}`);
    return r.events;
  };
  for (let k = 0; k < SKILLS; k++) must({ type: 'DefineSkill', skill: `s${k}` });
  for (let k = 0; k < SKILLS; k++)
    must({
      type: 'UpsertQueue',
      queue: { id: `q${k}`, serviceObjective: { percent: 80, thresholdMs: 20_000 + 1000 * (k % 40) }, escalateAfterMs: null, offerTimeoutMs: 3_600_000 },
    });
  for (const a of world.agents) must({ type: 'UpsertAgent', agent: a });
  for (let i = 0; i < world.agents.length; i += 10_000)
    must({ type: 'SetAgentState', agentIds: world.agents.slice(i, i + 10_000).map((a) => a.id), state: 'available' });

  const base = heapUsed();
  const assignedOf = new Array<string>(world.agents.length);
  const agentIndex = new Map(world.agents.map((a, i) => [a.id, i]));
  let seq = 0;
  const submit = (): EngineEvent[] => {
    const s = world.sigs[Math.floor(rand() * world.sigs.length)];
    const spec: InteractionSpec = { id: `i${seq}`, channel: 'voice', ...s, valueTier: seq % 4, context: context(seq) };
    seq++;
    return must({ type: 'SubmitInteraction', interaction: spec });
  };
  const acceptAll = (events: EngineEvent[]) => {
    for (const e of events)
      if (e.type === 'InteractionOffered') {
        must({ type: 'AcceptOffer', agentId: e.agentId, offerId: e.offerId });
        assignedOf[agentIndex.get(e.agentId)!] = e.interactionId;
      }
  };
  while (engine.counts().queued < WAITING) {
    now += 0.05;
    acceptAll(submit());
  }
  const held = engine.counts().interactions;
  const heapPer = (heapUsed() - base) / held;
  const busy = assignedOf.filter(Boolean).length;
  log(`engine: ${engine.counts().queued} waiting, ${busy} agents busy, ${(heapPer).toFixed(0)} B heap per held interaction`);

  // The load generator's own work (ids, 200-byte contexts, random picks) is done before the
  // clock starts: the loop measures the engine.
  const loopSubmits: InteractionSpec[] = [];
  for (let d = 0; d < DECISIONS; d++) {
    const s = world.sigs[Math.floor(rand() * world.sigs.length)];
    loopSubmits.push({ id: `i${seq}`, channel: 'voice', ...s, valueTier: seq % 4, context: context(seq) });
    seq++;
  }
  const picks = Int32Array.from({ length: DECISIONS }, () => Math.floor(rand() * world.agents.length));
  const lat = new Float64Array(DECISIONS);
  const split = [0, 0, 0];
  let decisions = 0;
  const profile = args.get('profile');
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const t0 = process.hrtime.bigint();
  for (let d = 0; d < DECISIONS; d++) {
    now += 0.01;
    let ai = picks[d];
    while (assignedOf[ai] === undefined) ai = (ai + 1) % world.agents.length;
    const agentId = world.agents[ai].id;
    const s = process.hrtime.bigint();
    const ev = must({ type: 'CompleteInteraction', agentId, interactionId: assignedOf[ai] });
    const s1 = process.hrtime.bigint();
    lat[d] = Number(s1 - s) / 1000;
    assignedOf[ai] = undefined as unknown as string;
    for (const e of ev) if (e.type === 'InteractionOffered') decisions++;
    acceptAll(ev);
    const s2 = process.hrtime.bigint();
    const sub = must({ type: 'SubmitInteraction', interaction: loopSubmits[d] });
    const s3 = process.hrtime.bigint();
    acceptAll(sub);
    split[0] += Number(s1 - s);
    split[1] += Number(s2 - s1);
    split[2] += Number(s3 - s2);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (session) {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(profile!, JSON.stringify(p));
    session.disconnect();
  }
  const counts = engine.counts();
  return {
    decisionsPerSec: decisions / secs,
    p50Us: percentile(lat, 50),
    p99Us: percentile(lat, 99),
    maxUs: percentile(lat, 100),
    agents: counts.agents,
    profiles: counts.profiles,
    waitingInteractions: counts.queued,
    signatures: counts.signatures,
    heapBytesPerWaitingInteraction: heapPer,
    eligibleSignaturesPerProfile: engine.eligibleSignatureStats().meanPerProfile,
    decisions,
    commandMeanUs: { complete: split[0] / DECISIONS / 1000, accept: split[1] / DECISIONS / 1000, submit: split[2] / DECISIONS / 1000 },
  };
}

// ── the naive baseline: one array of waiting interactions, linearly scanned per decision ────

interface NaiveIx {
  id: string;
  queueW: number;
  key: number;
  skills: Record<string, number>;
  labels: Record<string, string>;
  context: unknown;
}

class NaiveRouter {
  readonly waiting: NaiveIx[] = [];
  /** Best eligible waiting interaction for `agent` by the same service-objective score. */
  take(agent: AgentSpec, now: number): NaiveIx | undefined {
    let best = -1;
    let bestScore = -Infinity;
    const w = this.waiting;
    for (let i = 0; i < w.length; i++) {
      const ix = w[i];
      let ok = true;
      for (const s in ix.skills) if ((agent.skills?.[s] ?? 0) < ix.skills[s]) ok = false;
      for (const k in ix.labels) if (agent.labels?.[k] !== ix.labels[k]) ok = false;
      if (!ok) continue;
      const score = ix.queueW * (now - ix.key);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) return undefined;
    const ix = w[best];
    w[best] = w[w.length - 1];
    w.pop();
    return ix;
  }
}

function runBaseline(world: World, rand: () => number): Figures {
  const router = new NaiveRouter();
  const base = heapUsed();
  let seq = 0;
  const submit = (now: number) => {
    const s = world.sigs[Math.floor(rand() * world.sigs.length)];
    const k = Number(s.queue.slice(1));
    router.waiting.push({
      id: `i${seq}`,
      queueW: 1 / (20_000 + 1000 * (k % 40)),
      key: now - [0, 5000, 15000, 30000][seq % 4],
      skills: s.skills ?? {},
      labels: (s.labels ?? {}) as Record<string, string>,
      context: context(seq),
    });
    seq++;
  };
  let now = 0;
  while (router.waiting.length < WAITING) submit((now += 0.05));
  const heapPer = (heapUsed() - base) / router.waiting.length;
  const lat = new Float64Array(BASELINE_DECISIONS);
  let decisions = 0;
  const t0 = process.hrtime.bigint();
  for (let d = 0; d < BASELINE_DECISIONS; d++) {
    now += 0.01;
    const agent = world.agents[Math.floor(rand() * world.agents.length)];
    const s = process.hrtime.bigint();
    const got = router.take(agent, now);
    lat[d] = Number(process.hrtime.bigint() - s) / 1000;
    if (got) decisions++;
    submit(now);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    decisionsPerSec: decisions / secs,
    p50Us: percentile(lat, 50),
    p99Us: percentile(lat, 99),
    maxUs: percentile(lat, 100),
    agents: world.agents.length,
    profiles: PROFILES,
    waitingInteractions: router.waiting.length,
    signatures: world.sigs.length,
    heapBytesPerWaitingInteraction: heapPer,
    eligibleSignaturesPerProfile: world.sigs.length,
    decisions,
  };
}

// ── a small-world tinybench comparison: the same cycle on 1,000 agents and 10,000 waiting ──

async function smallWorld(): Promise<{ name: string; opsPerSec: number; p99Us: number }[]> {
  const rand = prng(SEED + 1);
  const engine = new Engine({ limits: { maxInteractions: 1_000_000 } });
  const router = new NaiveRouter();
  let now = 0;
  const must = (cmd: Command) => {
    const r = engine.apply(cmd, now);
    if (!r.ok) throw new Error(r.code);
    return r.events;
  };
  for (let k = 0; k < 20; k++) must({ type: 'DefineSkill', skill: `s${k}` });
  must({ type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 3_600_000, escalateAfterMs: null } });
  const agents: AgentSpec[] = [];
  for (let i = 0; i < 1000; i++) agents.push({ id: `a${i}`, skills: { [`s${i % 20}`]: 5, [`s${(i * 7) % 20}`]: 5 } });
  for (const a of agents) must({ type: 'UpsertAgent', agent: a });
  let seq = 0;
  for (; seq < 10_000; seq++) {
    const skills = { [`s${seq % 20}`]: 1 };
    must({ type: 'SubmitInteraction', interaction: { id: `i${seq}`, channel: 'voice', queue: 'q', skills } });
    router.waiting.push({ id: `i${seq}`, queueW: 1, key: seq, skills, labels: {}, context: null });
  }
  must({ type: 'SetAgentState', agentIds: agents.map((a) => a.id), state: 'available' });
  const held = new Map<string, string>();
  for (const a of agents) {
    const o = engine.agentLoad(a.id)!.offers[0];
    if (o) {
      must({ type: 'AcceptOffer', agentId: a.id, offerId: o.offerId });
      held.set(a.id, o.interactionId);
    }
  }
  const ids = [...held.keys()];
  let turn = 0;
  const bench = new Bench({ time: quick ? 300 : 1500, warmup: true });
  bench.add('engine: complete → route → accept → submit', () => {
    now += 0.01;
    const agentId = ids[turn++ % ids.length];
    const ev = must({ type: 'CompleteInteraction', agentId, interactionId: held.get(agentId)! });
    for (const e of ev)
      if (e.type === 'InteractionOffered') {
        must({ type: 'AcceptOffer', agentId, offerId: e.offerId });
        held.set(agentId, e.interactionId);
      }
    const skills = { [`s${seq % 20}`]: 1 };
    must({ type: 'SubmitInteraction', interaction: { id: `i${seq++}`, channel: 'voice', queue: 'q', skills } });
  });
  bench.add('naive: scan all waiting → take → push', () => {
    now += 0.01;
    router.take(agents[Math.floor(rand() * agents.length)], now);
    router.waiting.push({ id: `n${seq++}`, queueW: 1, key: now, skills: { [`s${seq % 20}`]: 1 }, labels: {}, context: null });
  });
  await bench.run();
  if (!JSON_OUT) console.table(bench.table());
  return bench.tasks.map((t) => {
    const r = t.result as unknown as { throughput: { mean: number }; latency: { p99: number } };
    return { name: t.name, opsPerSec: r.throughput.mean, p99Us: r.latency.p99 * 1000 };
  });
}

// ── main ────────────────────────────────────────────────────────────────────────────────

const env = environment();
log(`switchboard bench:engine  git ${env.git}  node ${env.node}  ${env.cpu} ×${env.cores}`);
log(`world (${WORLD}): ${AGENTS} agents in ${PROFILES} profiles, ${WAITING} waiting in ${SIGNATURES} classes, ${CONTEXT_BYTES}-byte context\n`);
const small = args.has('skip-small') ? [] : await smallWorld();
const world = buildWorld(prng(SEED));
const engineFigures = await runEngine(world, prng(SEED + 2));
const baselineFigures = args.has('skip-baseline') || RICH ? engineFigures : runBaseline(world, prng(SEED + 2));

const targets = { decisionsPerSec: 300_000, p99Us: 50, heapBytesPerWaitingInteraction: 1024 };
const result = { ...env, world: WORLD, ...engineFigures, targets, baseline: baselineFigures, smallWorld: small };
if (JSON_OUT) console.log(JSON.stringify(result));
else {
  const row = (name: string, f: Figures) => ({
    run: name,
    'decisions/s': Math.round(f.decisionsPerSec),
    'p50 µs': f.p50Us.toFixed(1),
    'p99 µs': f.p99Us.toFixed(1),
    'max µs': f.maxUs.toFixed(0),
    agents: f.agents,
    profiles: f.profiles,
    waiting: f.waitingInteractions,
    signatures: f.signatures,
    'g (sigs/profile)': f.eligibleSignaturesPerProfile.toFixed(1),
    'heap B/waiting': Math.round(f.heapBytesPerWaitingInteraction),
  });
  console.log('\nscale run (decision = complete → route → accept → submit; latency of the routing command)');
  const c = engineFigures.commandMeanUs!;
  console.log(`engine mean µs per command: complete+route ${c.complete.toFixed(1)}, accept ${c.accept.toFixed(1)}, submit ${c.submit.toFixed(1)}`);
  console.table(baselineFigures === engineFigures ? [row('engine', engineFigures)] : [row('engine', engineFigures), row('naive baseline', baselineFigures)]);
  console.log(
    `targets: ≥ ${targets.decisionsPerSec} decisions/s: ${engineFigures.decisionsPerSec >= targets.decisionsPerSec ? 'met' : 'MISSED'};` +
      ` p99 < ${targets.p99Us} µs: ${engineFigures.p99Us < targets.p99Us ? 'met' : 'MISSED'};` +
      ` heap < ${targets.heapBytesPerWaitingInteraction} B: ${engineFigures.heapBytesPerWaitingInteraction < targets.heapBytesPerWaitingInteraction ? 'met' : 'MISSED'}`,
  );
}
const csv = args.get('csv');
if (csv) {
  const line = (name: string, f: Figures) =>
    [
      env.git,
      env.node,
      name,
      f.decisionsPerSec.toFixed(0),
      f.p50Us.toFixed(2),
      f.p99Us.toFixed(2),
      f.agents,
      f.profiles,
      f.waitingInteractions,
      f.signatures,
      f.heapBytesPerWaitingInteraction.toFixed(0),
    ].join(',');
  appendFileSync(csv, `${line('engine', engineFigures)}\n${line('baseline', baselineFigures)}\n`);
}
