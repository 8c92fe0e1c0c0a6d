/**
 * The routing engine of one tenant: pure, synchronous, in memory, with an injected clock.
 *
 *   apply(command, now) → result with events      tick(now) → events      nextDeadline()
 *
 * Structure (ARCHITECTURE.md §3, ROUTING.md §2–3):
 * - Waiting interactions are grouped by requirement signature σ (queue + channel + skills with
 *   minimum levels + label selectors); each σ is an indexed heap on a time-invariant key
 *   (band, key, seq). Agents are grouped by profile p (skills, levels, labels, capacity); each
 *   (p, channel) keeps its available agents in a heap ordered by the agent-selection policy.
 * - C(σ) (eligible profiles) and E(p, c) (eligible signatures) are computed once per new σ or p.
 *   A freed agent compares only the heads of E(p, c); a new interaction looks only at the heads of
 *   C(σ), and not even that when σ.avail (profiles of C(σ) with an available agent) is zero.
 * - Time-dependent changes (offer expiry, preference window, relaxation, late band, escalation,
 *   max wait, wrap-up end) are timer entries: one per interaction (its next due time) and one per
 *   agent, in two deadline heaps. Nothing is rescanned as time passes.
 * - After every command or timer, `settle()` restores I4 (no available agent eligible for waiting
 *   work it has not declined): a single freed agent or a single new interaction takes a fast path;
 *   anything larger (a shift logging in, a reject that frees an agent and requeues an
 *   interaction) is matched as one batch in global priority order, with one-step augmenting
 *   moves so that a higher-priority pick never strands work another free agent could have taken.
 */
import { BoundedMap } from '../queues/bounded-map.ts';
import { IndexedHeap, PositionIndex } from '../queues/indexed-heap.ts';
import { KeyedHeap } from '../queues/keyed-heap.ts';
import { LinkedLists, newListHead } from '../queues/linked-list.ts';
import { RejectCode, type Rejection } from './codes.ts';
import {
  BAND_ESCALATED,
  BAND_LATE,
  BAND_NORMAL,
  type Agent,
  type Interaction,
  type Offer,
  type Profile,
  type ProfileChannel,
  type Queue,
  type QueueCounters,
  type Signature,
} from './entities.ts';
import {
  MAX_INTERACTIONS,
  MAX_PRIORITY,
  QUEUE_DEFAULTS,
  resolveOptions,
  type AgentSelectionPolicy,
  type EngineOptions,
  type EngineOptionsInput,
  type OrderingPolicy,
} from './options.ts';
import type {
  AgentSpec,
  AgentStateName,
  CapacitySpec,
  Command,
  EngineEvent,
  InteractionSpec,
  InteractionStatus,
  OfferEndReason,
  QueueSpec,
  SkillLevels,
} from './types.ts';
import {
  SNAPSHOT_FORMAT,
  SnapshotMismatchError,
  type AgentSnapshot,
  type EngineSnapshot,
  type InteractionSnapshot,
  type ProfileSnapshot,
  type QueueSnapshot,
  type SignatureSnapshot,
} from './snapshot.ts';
import {
  checkCapacity,
  checkDuration,
  checkId,
  checkInt,
  checkLabels,
  checkPriority,
  checkSkillLevels,
  reject,
} from './validate.ts';

export type ApplyResult =
  | { readonly ok: true; readonly events: EngineEvent[]; readonly duplicate?: boolean; readonly status?: InteractionStatus }
  | { readonly ok: false; readonly code: Rejection['code']; readonly message: string; readonly events: EngineEvent[] };

export interface QueueStats {
  readonly queueId: string;
  /** Queued, not offered. */
  readonly waiting: number;
  readonly offered: number;
  /** Longest time in this queue among queued and offered interactions. */
  readonly oldestWaitMs: number;
  readonly arrived: number;
  readonly answered: number;
  readonly answeredWithinThreshold: number;
  readonly abandoned: number;
  readonly cancelled: number;
  readonly expired: number;
  readonly overflowed: number;
  readonly transferredOut: number;
  readonly completed: number;
  readonly offersRejected: number;
  readonly offersTimedOut: number;
  readonly averageHandleMs: number | null;
  /** Answered within threshold over arrived-and-finished-waiting (answered + abandoned + expired). */
  readonly serviceLevel: number | null;
  /** The queue's service objective (target percent within thresholdMs). */
  readonly objective: { readonly percent: number; readonly thresholdMs: number };
}

export interface InteractionInfo {
  readonly interactionId: string;
  readonly status: InteractionStatus;
  readonly queueId: string;
  readonly channel: string;
  readonly agentId: string | null;
  readonly offerId: string | null;
  readonly arrival: number;
  readonly deadline: number;
  readonly priority: number;
  readonly band: 'escalated' | 'normal' | 'late';
  /** 1-based place among this queue's queued interactions in the engine's order; null unless queued. */
  readonly position: number | null;
  /** position × average handle time / staffed eligible agents; null when unknown. */
  readonly estimatedWaitMs: number | null;
  readonly context: unknown;
}

/** Why one agent is not taking a waiting interaction (every reason that applies, in this order). */
export type NotTakingReason =
  | { readonly reason: 'missing_skill'; readonly skill: string; readonly required: number }
  | { readonly reason: 'skill_level'; readonly skill: string; readonly has: number; readonly required: number }
  | { readonly reason: 'label'; readonly label: string; readonly wants: string; readonly has: string | null }
  | { readonly reason: 'no_channel'; readonly channel: string }
  | { readonly reason: 'offline' | 'away' | 'wrap_up'; readonly detail?: string }
  | { readonly reason: 'channel_full'; readonly channel: string; readonly load: number; readonly max: number }
  | { readonly reason: 'capacity'; readonly usedUnits: number; readonly cost: number; readonly totalUnits: number }
  | { readonly reason: 'rejected_before' }
  | { readonly reason: 'reserved_for_preferred'; readonly until: number };

export interface AgentVerdict {
  readonly agentId: string;
  /** Meets the skill, label and channel requirements. */
  readonly eligible: boolean;
  /** Empty when the agent could take it now (a transient state: the engine offers at once). */
  readonly reasons: readonly NotTakingReason[];
}

/** How the agent holding an offer or assignment was chosen, from the terms at offer time. */
export interface ChoiceExplanation {
  readonly agentId: string;
  readonly offerId: string;
  readonly offeredAt: number;
  readonly agentSelection: AgentSelectionPolicy;
  /** Idle since (ms) when chosen: longest-idle picks the smallest among eligible free agents. */
  readonly idleSince: number;
  /** least-occupied only: the occupancy bucket (0–1, steps of 1/255) compared before idleSince. */
  readonly occupancy: number | null;
  /** Summed level in the required skills: best-skill compares it first (higher wins). */
  readonly proficiency: number;
  /** An explicit or last-agent preference routed it (selection terms did not apply). */
  readonly preferred: boolean;
}

export interface Explanation {
  readonly interactionId: string;
  readonly status: InteractionStatus;
  readonly queueId: string;
  readonly channel: string;
  readonly ordering: OrderingPolicy;
  readonly band: 'escalated' | 'normal' | 'late';
  readonly priority: number;
  readonly arrival: number;
  readonly deadline: number;
  readonly required: { readonly skills: Readonly<Record<string, number>>; readonly labels: Readonly<Record<string, string>> };
  /** Agents reserved by a preference window, and its end. */
  readonly preferredAgents: readonly string[];
  readonly preferredUntil: number | null;
  readonly counts: {
    readonly agents: number;
    readonly eligible: number;
    /** Agents per reason (an agent may count under several). */
    readonly byReason: Readonly<Record<string, number>>;
  };
  /** Per agent, eligible ones first, at most `limit`. */
  readonly agents: readonly AgentVerdict[];
  readonly truncated: boolean;
  /** For an offered or assigned interaction: how its agent was chosen. */
  readonly choice: ChoiceExplanation | null;
}

export interface AgentLoad {
  readonly agentId: string;
  readonly state: AgentStateName;
  readonly reason: string | undefined;
  readonly units: number;
  readonly total: number;
  readonly channels: Readonly<Record<string, number>>;
  readonly offers: readonly { offerId: string; interactionId: string; expiresAt: number | null }[];
  readonly assignments: readonly string[];
  readonly wrapping: readonly string[];
  readonly wrapUntil: number | null;
}

export interface EngineCounts {
  readonly interactions: number;
  readonly queued: number;
  readonly offers: number;
  readonly agents: number;
  readonly profiles: number;
  readonly signatures: number;
  readonly queues: number;
}

const PRIORITY_SPAN = 2 ** 42;
// Fields of an interaction's per-slot record (hot ones first).
const R_KEY = 0;
const R_SEQ = 1;
const R_BAND = 2;
const R_DECLINED = 3;
const R_ARRIVAL = 4;
const R_ENTERED = 5;
const R_DEADLINE = 6;
const R_OFFER_AT = 7;
const R_LATE = 8;
const R_ESCALATE = 9;
const R_MAX_WAIT = 10;
const R_PREF_UNTIL = 11;
const R_ASSIGNED = 12;
const R_EXPLICIT = 13;
const R_SIZE = 14;
/** Interaction slots fit below this; maxInteractions is clamped to it (offer numbers carry a slot). */
const SLOT_SPAN = MAX_INTERACTIONS;
const OFFER_OUTCOMES = ['accepted', 'rejected', 'timed_out', 'rescinded'] as const;
type OfferOutcome = (typeof OFFER_OUTCOMES)[number];
const EMPTY: readonly never[] = [];

/** A queue's settings (not its state), copied: for snapshots, both ways. */
function queueSettings(q: Omit<QueueSnapshot, 'id' | 'waiting' | 'offered' | 'counters'>): Omit<QueueSnapshot, 'id' | 'waiting' | 'offered' | 'counters'> {
  return {
    objective: { percent: q.objective.percent, thresholdMs: q.objective.thresholdMs },
    weight: q.weight,
    w: q.w,
    defaultPriority: q.defaultPriority,
    offerTimeoutMs: q.offerTimeoutMs,
    wrapUpMs: q.wrapUpMs,
    maxWaitMs: q.maxWaitMs,
    overflowQueue: q.overflowQueue,
    escalateAfterMs: q.escalateAfterMs,
    noAnswerAway: q.noAnswerAway,
    preferredWindowMs: q.preferredWindowMs,
  };
}

export class Engine {
  readonly options: EngineOptions;
  private readonly serviceObjective: boolean;
  private now = 0;
  private events: EngineEvent[] = [];

  private readonly skills = new Set<string>();
  private readonly queues = new Map<string, Queue>();
  private readonly channelIdx = new Map<string, number>();
  private readonly channelNames: string[] = [];
  private readonly profiles = new Map<string, Profile>();
  private readonly profileList: Profile[] = [];
  private readonly signatures = new Map<string, Signature>();
  private readonly signatureList: Signature[] = [];

  private readonly agents = new Map<string, Agent>();
  private agentBySlot: (Agent | undefined)[] = [];
  private readonly freeAgentSlots: number[] = [];
  private agentKey = new Float64Array(1024);
  private agentTimerAt = new Float64Array(1024);

  private readonly interactions = new Map<string, Interaction>();
  private ixBySlot: (Interaction | undefined)[] = [];
  private readonly freeIxSlots: number[] = [];
  /**
   * Per-slot numbers of each interaction, one record of R_SIZE doubles per slot (its ordering key,
   * sequence, band, times, timers): one or two cache lines per interaction instead of a line in
   * each of fourteen arrays, and no boxed doubles on the interaction object. NaN: not set.
   */
  private rec = new Float64Array(1024 * R_SIZE);
  private seq = 0;
  private offerSeq = 0;
  private queuedCount = 0;

  /** Open offers, counted; each is found through its interaction (the offer number carries the slot). */
  private openOffers = 0;
  /**
   * The last closedOfferMaxEntries closed offers, by offer number modulo the ring size: who held
   * it and how it ended, to tell OFFER_CLOSED and OFFER_NOT_YOURS from UNKNOWN_OFFER. Offer ids
   * are `o<number>`, increasing, so the ring needs no Map.
   */
  private readonly closedAgent: (string | undefined)[];
  private readonly closedOutcome: Uint8Array;
  private readonly closedNumber: Float64Array;
  private readonly finished: BoundedMap<string, InteractionStatus>;
  private readonly lastAgent: BoundedMap<string, string>;

  private readonly sigPos = new PositionIndex();
  private readonly agentPos: PositionIndex[] = [];
  private readonly lists = new LinkedLists();
  /** Each live interaction's next due time, keyed (time, seq). */
  private readonly ixTimerPos = new PositionIndex();
  private readonly ixTimers = new KeyedHeap(this.ixTimerPos);
  private readonly offerTimers: IndexedHeap;
  /** Batch matching's merge of signature heads, by signature id; empty between batches. */
  private readonly mergeHeap = new IndexedHeap(new PositionIndex(64), (a, b) => {
    const x = this.signatureList[a];
    const y = this.signatureList[b];
    return this.better(x.hBand, x.hKey, x.hSeq, x.queue, y.hBand, y.hKey, y.hSeq, y.queue, this.now);
  });
  private readonly agentTimers: IndexedHeap;
  private readonly offerTimerPos = new PositionIndex();
  private readonly agentTimerPos = new PositionIndex();
  /** Context for the findFirst predicates below (set just before each call; no closures per call). */
  private matchAgent: Agent | null = null;
  private matchIx: Interaction | null = null;
  private readonly notDeclinedByMatchAgent = (slot: number): boolean => !this.isRejected(this.ixBySlot[slot]!, this.matchAgent!);
  private readonly agentFitsMatchIx = (slot: number): boolean => {
    const a = this.agentBySlot[slot]!;
    return a !== this.matchAgent && !this.isRejected(this.matchIx!, a);
  };
  private readonly sigLess = (a: number, b: number): boolean => {
    const ba = this.rec[a * R_SIZE + R_BAND];
    const bb = this.rec[b * R_SIZE + R_BAND];
    if (ba !== bb) return ba < bb;
    const ka = this.rec[a * R_SIZE + R_KEY];
    const kb = this.rec[b * R_SIZE + R_KEY];
    if (ka !== kb) return ka < kb;
    return this.rec[a * R_SIZE + R_SEQ] < this.rec[b * R_SIZE + R_SEQ];
  };
  private readonly agentLess = (a: number, b: number): boolean => {
    const ka = this.agentKey[a];
    const kb = this.agentKey[b];
    return ka !== kb ? ka < kb : a < b;
  };

  private pendingAgents: Agent[] = [];
  private pendingIxs: Interaction[] = [];
  /** Spare buffers swapped with the pending lists in settle(), so settling allocates nothing. */
  private spareAgents: Agent[] = [];
  private spareIxs: Interaction[] = [];

  constructor(options: EngineOptionsInput = {}) {
    this.options = resolveOptions(options);
    this.serviceObjective = this.options.ordering === 'service-objective';
    const ring = Math.max(1, this.options.closedOfferMaxEntries);
    this.closedAgent = new Array(ring);
    this.closedOutcome = new Uint8Array(ring);
    this.closedNumber = new Float64Array(ring).fill(-1);
    this.finished = new BoundedMap(this.options.idempotencyMaxEntries, this.options.idempotencyTtlMs);
    this.lastAgent = new BoundedMap(this.options.lastAgentMaxEntries, this.options.lastAgentTtlMs);
    this.offerTimers = new IndexedHeap(this.offerTimerPos, (a, b) => {
      const ta = this.rec[a * R_SIZE + R_OFFER_AT];
      const tb = this.rec[b * R_SIZE + R_OFFER_AT];
      return ta !== tb ? ta < tb : this.rec[a * R_SIZE + R_SEQ] < this.rec[b * R_SIZE + R_SEQ];
    });
    this.agentTimers = new IndexedHeap(this.agentTimerPos, (a, b) => {
      const ta = this.agentTimerAt[a];
      const tb = this.agentTimerAt[b];
      return ta !== tb ? ta < tb : a < b;
    });
  }

  // ───────────────────────────── public API ─────────────────────────────

  /** Applies one command at time `now`. Timers due by `now` fire first; their events lead. */
  apply(cmd: Command, now: number): ApplyResult {
    this.events = [];
    this.advance(now);
    const out = this.dispatch(cmd);
    if (out === null || !('code' in out)) this.settle();
    const events = this.events;
    this.events = [];
    if (out === null) return { ok: true, events };
    if ('code' in out) return { ok: false, code: out.code, message: out.message, events };
    return { ok: true, events, ...out };
  }

  /** Fires every timer due by `now`. */
  tick(now: number): EngineEvent[] {
    this.events = [];
    this.advance(now);
    const events = this.events;
    this.events = [];
    return events;
  }

  /** The earliest time a timer falls due, or null. The shell arms one timer for it. */
  nextDeadline(): number | null {
    const t = Math.min(this.ixTimerHead(), this.offerTimerHead(), this.agentTimerHead());
    return t === Number.POSITIVE_INFINITY ? null : t;
  }

  private ixTimerHead(): number {
    return this.ixTimers.size === 0 ? Number.POSITIVE_INFINITY : this.ixTimers.topA();
  }

  private offerTimerHead(): number {
    const h = this.offerTimers.peek();
    return h < 0 ? Number.POSITIVE_INFINITY : this.rec[h * R_SIZE + R_OFFER_AT];
  }

  private agentTimerHead(): number {
    const h = this.agentTimers.peek();
    return h < 0 ? Number.POSITIVE_INFINITY : this.agentTimerAt[h];
  }

  // ───────────────────────────── snapshots ─────────────────────────────

  /**
   * The whole state as plain data (see snapshot.ts): a copy, so the engine may go on at once.
   * O(state); taken between calls, never inside one.
   */
  snapshot(): EngineSnapshot {
    if (this.mergeHeap.size !== 0 || this.pendingAgents.length > 0 || this.pendingIxs.length > 0) throw new Error('snapshot inside an engine call');
    const slotsOf = (xs: readonly { slot: number }[]) => xs.map((x) => x.slot);
    const queues = [...this.queues.values()].map(
      (q): QueueSnapshot => ({
        id: q.id,
        ...queueSettings(q),
        waiting: { head: q.waiting.head, tail: q.waiting.tail, size: q.waiting.size },
        offered: q.offered,
        counters: { ...q.counters },
      }),
    );
    const profiles: ProfileSnapshot[] = [];
    for (const [key, p] of this.profiles) {
      profiles[p.id] = {
        key,
        levels: [...p.levels],
        labels: [...p.labels],
        total: p.total,
        staffed: p.staffed,
        chans: p.chans.map((pc) => [pc.ch, pc.cost, pc.max, pc.autoAccept, pc.interruptible, pc.heap.dump(), pc.sigs.map((g) => g.id)]),
      };
    }
    const signatures: SignatureSnapshot[] = [];
    for (const [key, g] of this.signatures) {
      signatures[g.id] = {
        key,
        queue: g.queue.idx,
        ch: g.ch,
        skills: g.skills.map(([k, v]) => [k, v]),
        labels: g.labels.map(([k, v]) => [k, v]),
        heap: g.heap.dump(),
        pcs: g.pcs.map((pc) => [pc.profile.id, pc.ch]),
        proficiency: [...g.proficiency],
        profileIds: [...g.profileIds],
        avail: g.avail,
        head: [g.hSlot, g.hBand, g.hKey, g.hSeq, g.hRejected],
      };
    }
    const agents: AgentSnapshot[] = [];
    for (const a of this.agents.values()) {
      agents.push([
        a.slot,
        a.id,
        a.profile.id,
        a.state,
        a.reason,
        [...a.load],
        a.units,
        a.nonInterruptibleUnits,
        a.offers.map((o) => {
          if (o.ix.offer !== o) throw new Error(`offer ${o.id} is not its interaction's`);
          return o.ix.slot;
        }),
        slotsOf(a.assigned),
        slotsOf(a.wrapping),
        a.wrapUntil,
        a.idleSince,
        a.inHeaps,
        a.preferred ? slotsOf(a.preferred) : null,
      ]);
    }
    const interactions: InteractionSnapshot[] = [];
    for (const ix of this.interactions.values()) {
      const o = ix.offer;
      interactions.push([
        ix.slot,
        ix.id,
        ix.seq,
        ix.channel,
        ix.ch,
        ix.queue.idx,
        ix.skills,
        ix.labels,
        ix.sig.id,
        ix.status,
        ix.priority,
        ix.valueTier,
        ix.customerId,
        ix.context,
        o ? [o.number, o.agent.slot, o.pc.profile.id, o.pc.ch, o.expiresAt, o.offeredAt, o.agentKey, o.preferred] : null,
        ix.agent ? ix.agent.slot : null,
        ix.rejectedBy ? [...ix.rejectedBy].map((a) => a.slot) : null,
        ix.preferred ? slotsOf(ix.preferred) : null,
        ix.relaxation,
        ix.relaxStep,
      ]);
    }
    return {
      format: SNAPSHOT_FORMAT,
      options: this.options,
      now: this.now,
      seq: this.seq,
      offerSeq: this.offerSeq,
      queuedCount: this.queuedCount,
      openOffers: this.openOffers,
      skills: [...this.skills],
      channels: [...this.channelNames],
      queues,
      profiles,
      signatures,
      agents,
      agentSlots: this.agentBySlot.length,
      freeAgentSlots: [...this.freeAgentSlots],
      agentKey: this.agentKey.slice(),
      agentTimerAt: this.agentTimerAt.slice(),
      interactions,
      ixSlots: this.ixBySlot.length,
      freeIxSlots: [...this.freeIxSlots],
      rec: this.rec.slice(0, this.ixBySlot.length * R_SIZE),
      closedAgent: Array.from(this.closedAgent, (x) => x ?? '').join('\u0000'),
      closedOutcome: this.closedOutcome.slice(),
      closedNumber: this.closedNumber.slice(),
      finished: this.finished.dump(),
      lastAgent: this.lastAgent.dump(),
      sigPos: this.sigPos.dump(),
      agentPos: this.agentPos.map((p) => p.dump()),
      lists: this.lists.dump(),
      ixTimers: this.ixTimers.dump(),
      ixTimerPos: this.ixTimerPos.dump(),
      offerTimers: this.offerTimers.dump(),
      offerTimerPos: this.offerTimerPos.dump(),
      agentTimers: this.agentTimers.dump(),
      agentTimerPos: this.agentTimerPos.dump(),
    };
  }

  /** An engine in exactly the state of `snap`, with the snapshot's own options. */
  static restore(snap: EngineSnapshot): Engine {
    const format = snap !== null && typeof snap === 'object' ? snap.format : undefined;
    if (format !== SNAPSHOT_FORMAT) throw new SnapshotMismatchError(`snapshot format ${String(format)}; this build reads ${SNAPSHOT_FORMAT}`);
    const e = new Engine(snap.options);
    e.load(snap);
    return e;
  }

  private load(snap: EngineSnapshot): void {
    this.now = snap.now;
    this.seq = snap.seq;
    this.offerSeq = snap.offerSeq;
    this.queuedCount = snap.queuedCount;
    this.openOffers = snap.openOffers;
    for (const s of snap.skills) this.skills.add(s);
    for (const c of snap.channels) this.channelIndex(c, true);
    snap.agentPos.forEach((pos, i) => this.agentPos[i].load(pos));
    const queueByIdx: Queue[] = [];
    snap.queues.forEach((q, idx) => {
      const queue: Queue = {
        idx,
        id: q.id,
        ...queueSettings(q),
        waiting: { id: idx, head: q.waiting.head, tail: q.waiting.tail, size: q.waiting.size },
        offered: q.offered,
        counters: { ...(q.counters as unknown as QueueCounters) },
      };
      queueByIdx.push(queue);
      this.queues.set(q.id, queue);
    });
    for (const ps of snap.profiles) {
      const profile: Profile = { id: this.profileList.length, levels: new Map(ps.levels), labels: new Map(ps.labels), total: ps.total, chans: [], byCh: [], staffed: ps.staffed };
      for (const [ch, cost, max, autoAccept, interruptible, heap] of ps.chans) {
        const pc: ProfileChannel = { profile, ch, cost, max, autoAccept, interruptible, heap: new IndexedHeap(this.agentPos[ch], this.agentLess), sigs: [] };
        pc.heap.load(heap);
        profile.chans.push(pc);
        profile.byCh[ch] = pc;
      }
      this.profiles.set(ps.key, profile);
      this.profileList.push(profile);
    }
    for (const gs of snap.signatures) {
      const g: Signature = {
        id: this.signatureList.length,
        queue: queueByIdx[gs.queue],
        ch: gs.ch,
        skills: gs.skills,
        labels: gs.labels,
        heap: new KeyedHeap(this.sigPos),
        pcs: gs.pcs.map(([pid, ch]) => this.profileList[pid].byCh[ch]!),
        proficiency: [...gs.proficiency],
        profileIds: new Set(gs.profileIds),
        avail: gs.avail,
        hSlot: gs.head[0],
        hBand: gs.head[1],
        hKey: gs.head[2],
        hSeq: gs.head[3],
        hRejected: gs.head[4],
      };
      g.heap.load(gs.heap);
      this.signatures.set(gs.key, g);
      this.signatureList.push(g);
    }
    snap.profiles.forEach((ps, pid) => {
      ps.chans.forEach(([, , , , , , sigs], i) => {
        this.profileList[pid].chans[i].sigs.push(...sigs.map((id) => this.signatureList[id]));
      });
    });
    this.sigPos.load(snap.sigPos);

    this.agentBySlot = new Array(snap.agentSlots).fill(undefined);
    this.freeAgentSlots.push(...snap.freeAgentSlots);
    this.agentKey = snap.agentKey.slice();
    this.agentTimerAt = snap.agentTimerAt.slice();
    const L = this.options.limits;
    for (const [slot, id, pid, state, reason, load, units, nonInterruptibleUnits, , , , wrapUntil, idleSince, inHeaps] of snap.agents) {
      const a: Agent = {
        slot,
        id,
        profile: this.profileList[pid],
        state,
        reason: reason ?? undefined,
        load: new Int32Array(L.maxChannels),
        units,
        nonInterruptibleUnits,
        offers: [],
        assigned: [],
        wrapping: [],
        wrapUntil,
        idleSince,
        inHeaps,
        preferred: null,
      };
      a.load.set(load);
      this.agentBySlot[slot] = a;
      this.agents.set(id, a);
    }

    this.ixBySlot = new Array(snap.ixSlots).fill(undefined);
    this.freeIxSlots.push(...snap.freeIxSlots);
    this.rec = new Float64Array(Math.max(1024, snap.ixSlots) * R_SIZE);
    this.rec.set(snap.rec);
    for (const x of snap.interactions) {
      const ix: Interaction = {
        slot: x[0],
        id: x[1],
        seq: x[2],
        channel: x[3],
        ch: x[4],
        queue: queueByIdx[x[5]],
        skills: x[6],
        labels: x[7],
        sig: this.signatureList[x[8]],
        status: x[9],
        priority: x[10],
        valueTier: x[11],
        customerId: x[12] ?? undefined,
        context: x[13],
        offer: null,
        agent: null,
        rejectedBy: null,
        preferred: null,
        relaxation: x[18],
        relaxStep: x[19],
      };
      this.ixBySlot[ix.slot] = ix;
      this.interactions.set(ix.id, ix);
    }
    const agentAt = (slot: number) => this.agentBySlot[slot]!;
    const ixAt = (slot: number) => this.ixBySlot[slot]!;
    for (const x of snap.interactions) {
      const ix = ixAt(x[0]);
      const o = x[14];
      if (o)
        ix.offer = {
          id: `o${o[0]}`,
          number: o[0],
          ix,
          agent: agentAt(o[1]),
          pc: this.profileList[o[2]].byCh[o[3]]!,
          expiresAt: o[4],
          offeredAt: o[5],
          agentKey: o[6],
          preferred: o[7],
        };
      if (x[15] !== null) ix.agent = agentAt(x[15]);
      if (x[16]) ix.rejectedBy = new Set(x[16].map(agentAt));
      if (x[17]) ix.preferred = x[17].map(agentAt);
    }
    for (const x of snap.agents) {
      const a = agentAt(x[0]);
      a.offers.push(...x[8].map((s) => ixAt(s).offer!));
      a.assigned.push(...x[9].map(ixAt));
      a.wrapping = x[10].map(ixAt);
      if (x[14]) a.preferred = x[14].map(ixAt);
    }

    snap.closedAgent.split('\u0000').forEach((x, i) => (this.closedAgent[i] = x === '' ? undefined : x));
    this.closedOutcome.set(snap.closedOutcome);
    this.closedNumber.set(snap.closedNumber);
    this.finished.load(snap.finished);
    this.lastAgent.load(snap.lastAgent);
    this.lists.load(snap.lists);
    this.ixTimers.load(snap.ixTimers);
    this.ixTimerPos.load(snap.ixTimerPos);
    this.offerTimers.load(snap.offerTimers);
    this.offerTimerPos.load(snap.offerTimerPos);
    this.agentTimers.load(snap.agentTimers);
    this.agentTimerPos.load(snap.agentTimerPos);
  }

  counts(): EngineCounts {
    return {
      interactions: this.interactions.size,
      queued: this.queuedCount,
      offers: this.openOffers,
      agents: this.agents.size,
      profiles: this.profiles.size,
      signatures: this.signatures.size,
      queues: this.queues.size,
    };
  }

  queueIds(): string[] {
    return [...this.queues.keys()];
  }

  queueStats(queueId: string, now: number = this.now): QueueStats | null {
    const q = this.queues.get(queueId);
    if (!q) return null;
    const head = q.waiting.head;
    const c = q.counters;
    const settled = c.answered + c.abandoned + c.expired;
    return {
      queueId,
      waiting: q.waiting.size - q.offered,
      offered: q.offered,
      oldestWaitMs: head < 0 ? 0 : Math.max(0, now - this.rec[head * R_SIZE + R_ENTERED]),
      ...c,
      averageHandleMs: c.handled === 0 ? null : c.handleMsTotal / c.handled,
      serviceLevel: settled === 0 ? null : c.answeredWithinThreshold / settled,
      objective: { percent: q.objective.percent, thresholdMs: q.objective.thresholdMs },
    };
  }

  /** What an offer shows the agent: the interaction's channel, queue and context. O(1). */
  offered(interactionId: string): { channel: string; queueId: string; context: unknown } | null {
    const ix = this.interactions.get(interactionId);
    return ix ? { channel: ix.channel, queueId: ix.queue.id, context: ix.context } : null;
  }

  interaction(interactionId: string, now: number = this.now): InteractionInfo | null {
    const ix = this.interactions.get(interactionId);
    if (!ix) return null;
    let position: number | null = null;
    let estimatedWaitMs: number | null = null;
    if (ix.status === 'queued') {
      // O(queue depth): a query, never on the routing path.
      position = 1;
      for (let h = ix.queue.waiting.head; h >= 0; h = this.lists.following(h)) {
        const other = this.ixBySlot[h]!;
        if (other !== ix && other.status === 'queued' && this.headBetter(other.slot, other.sig, ix.slot, ix.sig, now)) position++;
      }
      const c = ix.queue.counters;
      let staffed = 0;
      for (const pc of ix.sig.pcs) staffed += pc.profile.staffed;
      if (c.handled > 0 && staffed > 0) estimatedWaitMs = (position * (c.handleMsTotal / c.handled)) / staffed;
    }
    const band = this.rec[ix.slot * R_SIZE + R_BAND];
    return {
      interactionId: ix.id,
      status: ix.status,
      queueId: ix.queue.id,
      channel: ix.channel,
      agentId: ix.agent?.id ?? ix.offer?.agent.id ?? null,
      offerId: ix.offer?.id ?? null,
      arrival: this.rec[ix.slot * R_SIZE + R_ARRIVAL],
      deadline: this.rec[ix.slot * R_SIZE + R_DEADLINE],
      priority: ix.priority,
      band: band === BAND_ESCALATED ? 'escalated' : band === BAND_LATE ? 'late' : 'normal',
      position,
      estimatedWaitMs,
      context: ix.context,
    };
  }

  /**
   * Why is this interaction waiting, and why did its agent get it: every agent's verdict against
   * the interaction's requirement (skills, levels, labels, channel), state, capacity, earlier
   * rejections and preference windows, computed from the engine's own records. O(agents): a
   * query, never on the routing path.
   */
  explain(interactionId: string, limit = 100): Explanation | null {
    const ix = this.interactions.get(interactionId);
    if (!ix) return null;
    const sig = ix.sig;
    const chName = this.channelNames[ix.ch];
    const prefUntil = this.rec[ix.slot * R_SIZE + R_PREF_UNTIL];
    const preferred = ix.preferred ?? [];
    const byReason: Record<string, number> = {};
    const eligibleRows: AgentVerdict[] = [];
    const otherRows: AgentVerdict[] = [];
    let eligibleCount = 0;
    for (const a of this.agents.values()) {
      const reasons: NotTakingReason[] = [];
      const p = a.profile;
      for (const [skill, min] of sig.skills) {
        const has = p.levels.get(skill);
        if (has === undefined) reasons.push({ reason: 'missing_skill', skill, required: min });
        else if (has < min) reasons.push({ reason: 'skill_level', skill, has, required: min });
      }
      for (const [label, wants] of sig.labels) {
        const has = p.labels.get(label);
        if (has !== wants) reasons.push({ reason: 'label', label, wants, has: has ?? null });
      }
      const pc = p.byCh[ix.ch];
      if (!pc) reasons.push({ reason: 'no_channel', channel: chName });
      const eligible = reasons.length === 0;
      if (eligible) eligibleCount++;
      if (a.state !== 'available') reasons.push(a.reason !== undefined ? { reason: a.state, detail: a.reason } : { reason: a.state });
      const holdsThis = ix.offer?.agent === a || ix.agent === a;
      if (pc && !holdsThis) {
        if (a.load[pc.ch] >= pc.max) reasons.push({ reason: 'channel_full', channel: chName, load: a.load[pc.ch], max: pc.max });
        const used = pc.interruptible ? a.units : a.nonInterruptibleUnits;
        if (used + pc.cost > p.total) reasons.push({ reason: 'capacity', usedUnits: used, cost: pc.cost, totalUnits: p.total });
      }
      if (this.isRejected(ix, a)) reasons.push({ reason: 'rejected_before' });
      if (ix.preferred !== null && !preferred.includes(a)) reasons.push({ reason: 'reserved_for_preferred', until: prefUntil });
      for (const r of reasons) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
      const row: AgentVerdict = { agentId: a.id, eligible, reasons };
      if (eligible) {
        if (eligibleRows.length < limit) eligibleRows.push(row);
      } else if (otherRows.length < limit) otherRows.push(row);
    }
    const agents = eligibleRows.concat(otherRows).slice(0, limit);
    const band = this.rec[ix.slot * R_SIZE + R_BAND];
    const o = ix.offer;
    let choice: ChoiceExplanation | null = null;
    if (o !== null) {
      let proficiency = 0;
      for (const [skill] of sig.skills) proficiency += o.pc.profile.levels.get(skill) ?? 0;
      const key = o.agentKey;
      const leastOccupied = this.options.agentSelection === 'least-occupied';
      choice = {
        agentId: o.agent.id,
        offerId: o.id,
        offeredAt: o.offeredAt,
        agentSelection: this.options.agentSelection,
        idleSince: leastOccupied ? key % 2 ** 44 : key,
        occupancy: leastOccupied ? Math.floor(key / 2 ** 44) / 255 : null,
        proficiency,
        preferred: o.preferred,
      };
    }
    return {
      interactionId: ix.id,
      status: ix.status,
      queueId: ix.queue.id,
      channel: ix.channel,
      ordering: this.options.ordering,
      band: band === BAND_ESCALATED ? 'escalated' : band === BAND_LATE ? 'late' : 'normal',
      priority: ix.priority,
      arrival: this.rec[ix.slot * R_SIZE + R_ARRIVAL],
      deadline: this.rec[ix.slot * R_SIZE + R_DEADLINE],
      required: { skills: Object.fromEntries(sig.skills), labels: Object.fromEntries(sig.labels) },
      preferredAgents: preferred.map((a) => a.id),
      preferredUntil: ix.preferred !== null ? prefUntil : null,
      counts: { agents: this.agents.size, eligible: eligibleCount, byReason },
      agents,
      truncated: this.agents.size > agents.length,
      choice,
    };
  }

  /** Final status of a recently finished interaction (within the idempotency window). */
  finishedStatus(interactionId: string): InteractionStatus | undefined {
    return this.finished.get(interactionId, this.now);
  }

  agentLoad(agentId: string): AgentLoad | null {
    const a = this.agents.get(agentId);
    if (!a) return null;
    const channels: Record<string, number> = {};
    for (let c = 0; c < this.channelNames.length; c++) if (a.load[c] > 0) channels[this.channelNames[c]] = a.load[c];
    return {
      agentId,
      state: a.state,
      reason: a.reason,
      units: a.units,
      total: a.profile.total,
      channels,
      offers: a.offers.map((o) => ({ offerId: o.id, interactionId: o.ix.id, expiresAt: o.expiresAt })),
      assignments: a.assigned.map((ix) => ix.id),
      wrapping: a.wrapping.map((ix) => ix.id),
      wrapUntil: a.wrapping.length > 0 ? a.wrapUntil : null,
    };
  }

  /** Agents by state, how many hold assigned or wrapping work, how many are available with nothing. O(agents): a query. */
  agentSummary(): { agents: number; byState: Record<AgentStateName, number>; occupied: number; idle: number } {
    const byState: Record<AgentStateName, number> = { offline: 0, available: 0, away: 0, wrap_up: 0 };
    let occupied = 0;
    let idle = 0;
    for (const a of this.agents.values()) {
      byState[a.state]++;
      if (a.assigned.length > 0 || a.wrapping.length > 0) occupied++;
      else if (a.state === 'available' && a.offers.length === 0) idle++;
    }
    return { agents: this.agents.size, byState, occupied, idle };
  }

  agentIds(): string[] {
    return [...this.agents.keys()];
  }

  interactionIds(): string[] {
    return [...this.interactions.keys()];
  }

  /** Number of signatures a profile's agents look at (g in the cost model), for benchmarks. */
  eligibleSignatureStats(): { meanPerProfile: number; maxPerProfile: number; meanProfilesPerSignature: number } {
    let sum = 0;
    let max = 0;
    for (const p of this.profileList) {
      let n = 0;
      for (const pc of p.chans) n += pc.sigs.length;
      sum += n;
      max = Math.max(max, n);
    }
    let f = 0;
    for (const s of this.signatureList) f += s.pcs.length;
    return {
      meanPerProfile: this.profileList.length ? sum / this.profileList.length : 0,
      maxPerProfile: max,
      meanProfilesPerSignature: this.signatureList.length ? f / this.signatureList.length : 0,
    };
  }

  // ───────────────────────────── dispatch ─────────────────────────────

  private dispatch(cmd: Command): Rejection | { duplicate: true; status: InteractionStatus } | null {
    if (cmd === null || typeof cmd !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'command must be an object');
    switch (cmd.type) {
      case 'DefineSkill':
        return this.defineSkill(cmd.skill);
      case 'UpsertQueue':
        return this.upsertQueue(cmd.queue);
      case 'UpsertAgent':
        return this.upsertAgent(cmd.agent);
      case 'RemoveAgent':
        return this.removeAgent(cmd.agentId);
      case 'SetAgentState':
        return this.setAgentStates(cmd.agentIds, cmd.state, cmd.reason);
      case 'SubmitInteraction':
        return this.submit(cmd.interaction);
      case 'UpdateInteraction':
        return this.update(cmd.interactionId, cmd.priority, cmd.context, 'context' in cmd);
      case 'TransferInteraction':
        return this.transfer(cmd.interactionId, cmd.queue, cmd.skills);
      case 'CancelInteraction':
        return this.cancel(cmd.interactionId, cmd.reason);
      case 'AcceptOffer':
        return this.accept(cmd.agentId, cmd.offerId);
      case 'RejectOffer':
        return this.rejectOffer(cmd.agentId, cmd.offerId);
      case 'CompleteInteraction':
        return this.complete(cmd.agentId, cmd.interactionId);
      case 'EndWrapUp':
        return this.endWrapUpCommand(cmd.agentId);
      default:
        return reject(RejectCode.INVALID_ARGUMENT, `unknown command type '${String((cmd as { type?: unknown }).type)}'`);
    }
  }

  private emit(e: EngineEvent): void {
    this.events.push(e);
  }

  // ───────────────────────────── configuration ─────────────────────────────

  private defineSkill(skill: string): Rejection | null {
    const bad = checkId(skill, 'skill', this.options.limits);
    if (bad) return bad;
    if (this.skills.has(skill)) return null;
    if (this.skills.size >= this.options.limits.maxSkills) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${this.options.limits.maxSkills} skills`);
    this.skills.add(skill);
    this.emit({ type: 'SkillDefined', at: this.now, skill });
    return null;
  }

  private upsertQueue(spec: QueueSpec): Rejection | null {
    const L = this.options.limits;
    if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'queue must be an object');
    const bad =
      checkId(spec.id, 'queue id', L) ??
      (spec.serviceObjective === undefined
        ? null
        : checkInt(spec.serviceObjective?.percent, 'serviceObjective.percent', 0, 100) ??
          checkInt(spec.serviceObjective?.thresholdMs, 'serviceObjective.thresholdMs', 1, 7 * 24 * 3600_000)) ??
      (spec.weight === undefined
        ? null
        : typeof spec.weight === 'number' && spec.weight > 0 && spec.weight <= 1000
          ? null
          : reject(RejectCode.INVALID_ARGUMENT, 'weight must be in (0, 1000]')) ??
      (spec.defaultPriority === undefined ? null : checkPriority(spec.defaultPriority)) ??
      (spec.offerTimeoutMs === undefined ? null : checkDuration(spec.offerTimeoutMs, 'offerTimeoutMs')) ??
      (spec.wrapUpMs === undefined ? null : checkDuration(spec.wrapUpMs, 'wrapUpMs')) ??
      (spec.maxWaitMs === undefined ? null : checkDuration(spec.maxWaitMs, 'maxWaitMs', true)) ??
      (spec.escalateAfterMs === undefined ? null : checkDuration(spec.escalateAfterMs, 'escalateAfterMs', true)) ??
      (spec.preferredWindowMs === undefined ? null : checkDuration(spec.preferredWindowMs, 'preferredWindowMs')) ??
      (spec.noAnswerAway === undefined || typeof spec.noAnswerAway === 'boolean'
        ? null
        : reject(RejectCode.INVALID_ARGUMENT, 'noAnswerAway must be a boolean'));
    if (bad) return bad;
    if (spec.overflowQueue !== undefined && spec.overflowQueue !== null) {
      const b2 = checkId(spec.overflowQueue, 'overflowQueue', L);
      if (b2) return b2;
      if (spec.overflowQueue === spec.id) return reject(RejectCode.INVALID_ARGUMENT, 'a queue cannot overflow into itself');
      if (!this.queues.has(spec.overflowQueue)) return reject(RejectCode.UNKNOWN_QUEUE, `overflow queue '${spec.overflowQueue}' is not defined`);
    }
    let q = this.queues.get(spec.id);
    if (!q && this.queues.size >= L.maxQueues) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxQueues} queues`);
    const objective = spec.serviceObjective ?? q?.objective ?? QUEUE_DEFAULTS.serviceObjective;
    const weight = spec.weight ?? q?.weight ?? QUEUE_DEFAULTS.weight;
    const fields = {
      objective: { percent: objective.percent, thresholdMs: objective.thresholdMs },
      weight,
      w: weight / objective.thresholdMs,
      defaultPriority: spec.defaultPriority ?? q?.defaultPriority ?? QUEUE_DEFAULTS.defaultPriority,
      offerTimeoutMs: spec.offerTimeoutMs ?? q?.offerTimeoutMs ?? QUEUE_DEFAULTS.offerTimeoutMs,
      wrapUpMs: spec.wrapUpMs ?? q?.wrapUpMs ?? QUEUE_DEFAULTS.wrapUpMs,
      maxWaitMs: spec.maxWaitMs !== undefined ? spec.maxWaitMs : (q?.maxWaitMs ?? QUEUE_DEFAULTS.maxWaitMs),
      overflowQueue: spec.overflowQueue !== undefined ? spec.overflowQueue : (q?.overflowQueue ?? QUEUE_DEFAULTS.overflowQueue),
      escalateAfterMs:
        spec.escalateAfterMs !== undefined ? spec.escalateAfterMs : q ? q.escalateAfterMs : 10 * objective.thresholdMs,
      noAnswerAway: spec.noAnswerAway ?? q?.noAnswerAway ?? QUEUE_DEFAULTS.noAnswerAway,
      preferredWindowMs: spec.preferredWindowMs ?? q?.preferredWindowMs ?? QUEUE_DEFAULTS.preferredWindowMs,
    };
    if (q) Object.assign(q, fields);
    else {
      q = {
        idx: this.queues.size,
        id: spec.id,
        ...fields,
        waiting: newListHead(this.queues.size),
        offered: 0,
        counters: {
          arrived: 0,
          answered: 0,
          answeredWithinThreshold: 0,
          abandoned: 0,
          cancelled: 0,
          expired: 0,
          overflowed: 0,
          transferredOut: 0,
          completed: 0,
          offersRejected: 0,
          offersTimedOut: 0,
          handleMsTotal: 0,
          handled: 0,
        },
      };
      this.queues.set(spec.id, q);
    }
    this.emit({ type: 'QueueUpserted', at: this.now, queueId: spec.id });
    return null;
  }

  private channelIndex(name: string, create: boolean): number {
    let i = this.channelIdx.get(name);
    if (i === undefined) {
      if (!create) return -1;
      i = this.channelNames.length;
      this.channelNames.push(name);
      this.channelIdx.set(name, i);
      this.agentPos.push(new PositionIndex());
    }
    return i;
  }

  private upsertAgent(spec: AgentSpec): Rejection | null {
    const L = this.options.limits;
    if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'agent must be an object');
    const bad =
      checkId(spec.id, 'agent id', L) ??
      checkSkillLevels(spec.skills, 'agent skills', L.maxSkillsPerAgent, this.skills, L) ??
      checkLabels(spec.labels, 'agent labels', L) ??
      checkCapacity(spec.capacity, L);
    if (bad) return bad;
    const capacity = spec.capacity ?? DEFAULT_CAPACITY;
    const newChannels = Object.keys(capacity.channels).filter((c) => !this.channelIdx.has(c)).length;
    if (this.channelNames.length + newChannels > L.maxChannels) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxChannels} channels`);
    let a = this.agents.get(spec.id);
    if (!a && this.agents.size >= L.maxAgents) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxAgents} agents`);
    const profile = this.profileFor(spec.skills ?? {}, spec.labels ?? {}, capacity);
    if (!profile) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxProfiles} distinct agent profiles`);
    if (a) {
      this.leaveHeaps(a);
      if (a.state !== 'offline') a.profile.staffed--;
      a.profile = profile;
      if (a.state !== 'offline') profile.staffed++;
      this.setAgentKey(a);
      this.refreshAgent(a);
    } else {
      const slot = this.freeAgentSlots.pop() ?? this.agentBySlot.length;
      this.ensureAgentSlot(slot);
      a = {
        slot,
        id: spec.id,
        profile,
        state: 'offline',
        reason: undefined,
        load: new Int32Array(L.maxChannels),
        units: 0,
        nonInterruptibleUnits: 0,
        offers: [],
        assigned: [],
        wrapping: [],
        wrapUntil: 0,
        idleSince: this.now,
        inHeaps: 0,
        preferred: null,
      };
      this.agentBySlot[slot] = a;
      this.agents.set(spec.id, a);
      this.setAgentKey(a);
    }
    this.emit({ type: 'AgentUpserted', at: this.now, agentId: spec.id });
    this.pendingAgents.push(a);
    return null;
  }

  private removeAgent(agentId: string): Rejection | null {
    const a = this.agents.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    if (a.offers.length > 0 || a.assigned.length > 0 || a.wrapping.length > 0)
      return reject(RejectCode.AGENT_BUSY, `agent '${agentId}' has open offers, assignments or wrap-up`);
    this.leaveHeaps(a);
    this.dropPreferred(a);
    if (a.state !== 'offline') a.profile.staffed--;
    this.agents.delete(agentId);
    this.agentBySlot[a.slot] = undefined;
    this.freeAgentSlots.push(a.slot);
    this.emit({ type: 'AgentRemoved', at: this.now, agentId });
    return null;
  }

  private ensureAgentSlot(slot: number): void {
    if (slot < this.agentKey.length) return;
    const size = Math.max(slot + 1, this.agentKey.length * 2);
    const k = new Float64Array(size);
    k.set(this.agentKey);
    this.agentKey = k;
    const t = new Float64Array(size);
    t.set(this.agentTimerAt);
    this.agentTimerAt = t;
  }

  private profileFor(levels: SkillLevels, labels: Record<string, string>, cap: CapacitySpec): Profile | null {
    const skillPart = Object.keys(levels)
      .sort()
      .map((s) => `${s}=${levels[s]}`)
      .join(',');
    const labelPart = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(',');
    const chanPart = Object.keys(cap.channels)
      .sort()
      .map((c) => {
        const x = cap.channels[c];
        return `${c}:${x.cost}/${x.max}${x.autoAccept ? 'a' : ''}${x.interruptible ? 'i' : ''}`;
      })
      .join(',');
    const key = JSON.stringify([skillPart, labelPart, cap.total, chanPart]);
    const existing = this.profiles.get(key);
    if (existing) return existing;
    if (this.profiles.size >= this.options.limits.maxProfiles) return null;
    const profile: Profile = {
      id: this.profileList.length,
      levels: new Map(Object.entries(levels)),
      labels: new Map(Object.entries(labels)),
      total: cap.total,
      chans: [],
      byCh: [],
      staffed: 0,
    };
    for (const c of Object.keys(cap.channels).sort()) {
      const ch = this.channelIndex(c, true);
      const x = cap.channels[c];
      const pc: ProfileChannel = {
        profile,
        ch,
        cost: x.cost,
        max: x.max,
        autoAccept: x.autoAccept === true,
        interruptible: x.interruptible === true,
        heap: new IndexedHeap(this.agentPos[ch], this.agentLess),
        sigs: [],
      };
      profile.chans.push(pc);
      profile.byCh[ch] = pc;
    }
    this.profiles.set(key, profile);
    this.profileList.push(profile);
    // E(p, c) for existing signatures: once per new profile, off the hot path.
    for (const sig of this.signatureList) {
      const pc = profile.byCh[sig.ch];
      if (pc && satisfies(profile, sig)) this.link(sig, pc);
    }
    return profile;
  }

  private signatureFor(q: Queue, ch: number, skills: SkillLevels, labels: Record<string, string>): Signature | null {
    const skillIds = Object.keys(skills);
    const labelKeys = Object.keys(labels);
    if (skillIds.length > 1) skillIds.sort();
    if (labelKeys.length > 1) labelKeys.sort();
    // Canonical key; ids never contain the control characters used as separators.
    let key = `${q.idx}\u0001${ch}`;
    for (const s of skillIds) key += `\u0001${s}\u0002${skills[s]}`;
    key += '\u0003';
    for (const k of labelKeys) key += `\u0001${k}\u0002${labels[k]}`;
    const existing = this.signatures.get(key);
    if (existing) return existing;
    const sk = skillIds.map((s) => [s, skills[s]] as const);
    const lb = labelKeys.map((k) => [k, labels[k]] as const);
    if (this.signatures.size >= this.options.limits.maxSignatures) return null;
    const sig: Signature = {
      id: this.signatureList.length,
      queue: q,
      ch,
      skills: sk,
      labels: lb,
      heap: new KeyedHeap(this.sigPos),
      pcs: [],
      proficiency: [],
      profileIds: new Set(),
      avail: 0,
      hSlot: -1,
      hBand: 0,
      hKey: 0,
      hSeq: 0,
      hRejected: false,
    };
    this.signatures.set(key, sig);
    this.signatureList.push(sig);
    // C(σ) for existing profiles: once per new signature, off the hot path.
    for (const p of this.profileList) {
      const pc = p.byCh[ch];
      if (pc && satisfies(p, sig)) this.link(sig, pc);
    }
    return sig;
  }

  private link(sig: Signature, pc: ProfileChannel): void {
    let prof = 0;
    for (const [s] of sig.skills) prof += pc.profile.levels.get(s) ?? 0;
    // Keep pcs sorted by proficiency (descending), stable by profile id: best-skill scans in order.
    let i = sig.pcs.length;
    while (i > 0 && sig.proficiency[i - 1] < prof) i--;
    sig.pcs.splice(i, 0, pc);
    sig.proficiency.splice(i, 0, prof);
    sig.profileIds.add(pc.profile.id);
    pc.sigs.push(sig);
    if (pc.heap.size > 0) sig.avail++;
  }

  // ───────────────────────────── agents ─────────────────────────────

  private setAgentStates(agentIds: readonly string[], state: string, reason: string | undefined): Rejection | null {
    const L = this.options.limits;
    if (!Array.isArray(agentIds) || agentIds.length === 0) return reject(RejectCode.INVALID_ARGUMENT, 'agentIds must be a non-empty list');
    if (agentIds.length > L.maxAgentsPerCommand) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxAgentsPerCommand} agents in one command`);
    if (state !== 'offline' && state !== 'available' && state !== 'away')
      return reject(RejectCode.INVALID_ARGUMENT, `state must be offline, available or away`);
    if (reason !== undefined) {
      const bad = checkId(reason, 'reason', L);
      if (bad) return bad;
    }
    const list: Agent[] = [];
    for (const id of agentIds) {
      const a = this.agents.get(id);
      if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${String(id)}' is not defined`);
      list.push(a);
    }
    for (const a of list) this.changeState(a, state, state === 'away' ? (reason ?? 'away') : undefined);
    return null;
  }

  /** Moves an agent to `to`; ends its wrap-up, rescinds its offers when it stops being available. */
  private changeState(a: Agent, to: AgentStateName, reason: string | undefined): void {
    if (a.wrapping.length > 0 && to !== 'wrap_up') this.finishWrapUp(a, false);
    const from = a.state;
    if (from === to && a.reason === reason) return;
    if ((from === 'offline') !== (to === 'offline')) a.profile.staffed += to === 'offline' ? -1 : 1;
    a.state = to;
    a.reason = reason;
    this.emit(
      reason === undefined
        ? { type: 'AgentStateChanged', at: this.now, agentId: a.id, from, to }
        : { type: 'AgentStateChanged', at: this.now, agentId: a.id, from, to, reason },
    );
    if (to !== 'available') {
      for (const o of a.offers.slice()) if (o.expiresAt !== null) this.closeOffer(o, 'rescinded', 'agent_unavailable');
      if (to === 'offline') this.dropPreferred(a);
    } else {
      a.idleSince = this.now;
      this.setAgentKey(a);
      this.pendingAgents.push(a);
    }
    this.refreshAgent(a);
  }

  private endWrapUpCommand(agentId: string): Rejection | null {
    const a = this.agents.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    if (a.wrapping.length === 0) return reject(RejectCode.INVALID_STATE, `agent '${agentId}' is not wrapping up`);
    this.finishWrapUp(a);
    return null;
  }

  /** Completes the agent's wrapping interactions; `resume` returns a wrap_up agent to available. */
  private finishWrapUp(a: Agent, resume = true): void {
    const list = a.wrapping;
    a.wrapping = [];
    this.agentTimers.remove(a.slot);
    for (const ix of list) {
      this.emit({ type: 'InteractionCompleted', at: this.now, interactionId: ix.id, agentId: a.id, queueId: ix.queue.id, handleMs: this.now - this.rec[ix.slot * R_SIZE + R_ASSIGNED] });
      ix.queue.counters.completed++;
      this.finish(ix, 'completed');
    }
    if (resume && a.state === 'wrap_up') this.changeState(a, 'available', undefined);
  }

  private setAgentKey(a: Agent): void {
    if (this.options.agentSelection === 'least-occupied') {
      const ratio = a.profile.total > 0 ? Math.min(1, a.units / a.profile.total) : 0;
      this.agentKey[a.slot] = Math.round(ratio * 255) * 2 ** 44 + a.idleSince;
    } else this.agentKey[a.slot] = a.idleSince;
  }

  private canTake(a: Agent, pc: ProfileChannel): boolean {
    if (a.state !== 'available') return false;
    if (a.load[pc.ch] >= pc.max) return false;
    const used = pc.interruptible ? a.units : a.nonInterruptibleUnits;
    return used + pc.cost <= a.profile.total;
  }

  /** Re-files the agent in its profile's per-channel heaps after a state, load or key change. */
  private refreshAgent(a: Agent): void {
    const chans = a.profile.chans;
    for (let i = 0; i < chans.length; i++) {
      const pc = chans[i];
      const bit = 1 << i;
      const should = this.canTake(a, pc);
      const is = (a.inHeaps & bit) !== 0;
      if (should && !is) {
        pc.heap.push(a.slot);
        a.inHeaps |= bit;
        if (pc.heap.size === 1) for (const s of pc.sigs) s.avail++;
      } else if (!should && is) {
        pc.heap.remove(a.slot);
        a.inHeaps &= ~bit;
        if (pc.heap.size === 0) for (const s of pc.sigs) s.avail--;
      } else if (should) pc.heap.update(a.slot);
    }
  }

  private leaveHeaps(a: Agent): void {
    const chans = a.profile.chans;
    for (let i = 0; i < chans.length; i++) {
      if ((a.inHeaps & (1 << i)) === 0) continue;
      const pc = chans[i];
      pc.heap.remove(a.slot);
      if (pc.heap.size === 0) for (const s of pc.sigs) s.avail--;
    }
    a.inHeaps = 0;
  }

  private addLoad(a: Agent, pc: ProfileChannel, sign: 1 | -1): void {
    a.load[pc.ch] += sign;
    a.units += sign * pc.cost;
    if (!pc.interruptible) a.nonInterruptibleUnits += sign * pc.cost;
  }

  private dropPreferred(a: Agent): void {
    if (!a.preferred) return;
    for (const ix of a.preferred.slice()) {
      ix.preferred = ix.preferred!.filter((x) => x !== a);
      if (ix.preferred.length === 0) this.endPreference(ix, false);
    }
    a.preferred = null;
  }

  // ───────────────────────────── interactions ─────────────────────────────

  private submit(spec: InteractionSpec): Rejection | { duplicate: true; status: InteractionStatus } | null {
    const L = this.options.limits;
    if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'interaction must be an object');
    const idBad = checkId(spec.id, 'interaction id', L);
    if (idBad) return idBad;
    // I6: an idempotency id never creates two interactions.
    const live = this.interactions.get(spec.id);
    if (live) return { duplicate: true, status: live.status };
    const done = this.finished.get(spec.id, this.now);
    if (done) return { duplicate: true, status: done };
    const bad =
      checkId(spec.channel, 'channel', L) ??
      checkId(spec.queue, 'queue', L) ??
      checkSkillLevels(spec.skills, 'skills', L.maxRequirementsPerInteraction, this.skills, L) ??
      checkLabels(spec.labels, 'labels', L) ??
      (spec.customerId === undefined ? null : checkId(spec.customerId, 'customerId', L)) ??
      (spec.valueTier === undefined ? null : checkInt(spec.valueTier, 'valueTier', 0, 100)) ??
      (spec.priority === undefined ? null : checkPriority(spec.priority)) ??
      (spec.slaDeadline === undefined ? null : checkDuration(spec.slaDeadline, 'slaDeadline')) ??
      this.checkPreferred(spec.preferredAgents) ??
      this.checkRelaxation(spec.relaxation);
    if (bad) return bad;
    const q = this.queues.get(spec.queue);
    if (!q) return reject(RejectCode.UNKNOWN_QUEUE, `queue '${spec.queue}' is not defined`);
    if (this.interactions.size >= L.maxInteractions)
      return reject(RejectCode.CAPACITY_EXHAUSTED, `the engine holds ${L.maxInteractions} interactions, its limit`);
    const ch = this.channelIndex(spec.channel, false);
    if (ch < 0 && this.channelNames.length >= L.maxChannels) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxChannels} channels`);
    const skills = spec.skills ?? {};
    const labels = spec.labels ?? {};
    const chIdx = ch < 0 ? this.channelIndex(spec.channel, true) : ch;
    const sig = this.signatureFor(q, chIdx, skills, labels);
    if (!sig) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxSignatures} distinct requirement signatures`);

    const slot = this.freeIxSlots.pop() ?? this.ixBySlot.length;
    this.ensureIxSlot(slot);
    const priority = spec.priority ?? q.defaultPriority;
    const explicitDeadline = spec.slaDeadline ?? null;
    const ix: Interaction = {
      slot,
      id: spec.id,
      seq: ++this.seq,
      channel: spec.channel,
      ch: chIdx,
      queue: q,
      skills,
      labels,
      sig,
      status: 'queued',
      priority,
      valueTier: spec.valueTier ?? 0,
      customerId: spec.customerId,
      context: spec.context,
      offer: null,
      agent: null,
      rejectedBy: null,
      preferred: null,
      relaxation: spec.relaxation && spec.relaxation.length > 0 ? spec.relaxation : null,
      relaxStep: 0,
    };
    this.rec[slot * R_SIZE + R_ARRIVAL] = this.now;
    this.rec[slot * R_SIZE + R_ENTERED] = this.now;
    this.rec[slot * R_SIZE + R_EXPLICIT] = explicitDeadline ?? Number.NaN;
    this.rec[slot * R_SIZE + R_DEADLINE] = explicitDeadline ?? this.now + q.objective.thresholdMs;
    this.rec[slot * R_SIZE + R_ASSIGNED] = 0;
    this.rec[slot * R_SIZE + R_PREF_UNTIL] = Number.NaN;
    this.rec[slot * R_SIZE + R_LATE] = Number.NaN;
    this.rec[slot * R_SIZE + R_ESCALATE] = Number.NaN;
    this.rec[slot * R_SIZE + R_MAX_WAIT] = Number.NaN;
    this.ixBySlot[slot] = ix;
    this.rec[slot * R_SIZE + R_DECLINED] = 0;
    this.interactions.set(ix.id, ix);
    this.rec[slot * R_SIZE + R_SEQ] = ix.seq;
    this.enterQueue(ix, q);
    q.counters.arrived++;
    this.emit({ type: 'InteractionQueued', at: this.now, interactionId: ix.id, queueId: q.id, channel: ix.channel });

    // Preferred agents (explicit, then the customer's last agent) get it first for a window.
    const preferred = this.preferredAgentsFor(ix, spec.preferredAgents);
    if (preferred.length > 0 && q.preferredWindowMs > 0) {
      ix.preferred = preferred;
      this.rec[ix.slot * R_SIZE + R_PREF_UNTIL] = this.now + q.preferredWindowMs;
      for (const a of preferred) this.addPreferred(a, ix);
    } else this.pushWaiting(ix);
    this.armTimer(ix);
    this.pendingIxs.push(ix);
    return null;
  }

  private checkPreferred(list: readonly string[] | undefined): Rejection | null {
    if (list === undefined) return null;
    const L = this.options.limits;
    if (!Array.isArray(list)) return reject(RejectCode.INVALID_ARGUMENT, 'preferredAgents must be a list');
    if (list.length > L.maxPreferredAgents) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxPreferredAgents} preferred agents`);
    for (const id of list) {
      const bad = checkId(id, 'preferred agent id', L);
      if (bad) return bad;
      if (!this.agents.has(id)) return reject(RejectCode.UNKNOWN_AGENT, `preferred agent '${id}' is not defined`);
    }
    return null;
  }

  private checkRelaxation(steps: InteractionSpec['relaxation']): Rejection | null {
    if (steps === undefined) return null;
    const L = this.options.limits;
    if (!Array.isArray(steps)) return reject(RejectCode.INVALID_ARGUMENT, 'relaxation must be a list');
    if (steps.length > L.maxRelaxationSteps) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxRelaxationSteps} relaxation steps`);
    let last = -1;
    for (const st of steps) {
      if (st === null || typeof st !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'relaxation step must be an object');
      const bad =
        checkDuration(st.afterMs, 'relaxation afterMs') ??
        checkSkillLevels(st.skills, 'relaxation skills', L.maxRequirementsPerInteraction, this.skills, L);
      if (bad) return bad;
      if (st.skills === undefined) return reject(RejectCode.INVALID_ARGUMENT, 'relaxation step needs skills');
      if (st.afterMs <= last) return reject(RejectCode.INVALID_ARGUMENT, 'relaxation steps must be in increasing afterMs');
      last = st.afterMs;
    }
    return null;
  }

  private preferredAgentsFor(ix: Interaction, explicit: readonly string[] | undefined): Agent[] {
    const out: Agent[] = [];
    const consider = (id: string | undefined) => {
      if (id === undefined) return;
      const a = this.agents.get(id);
      if (!a || out.includes(a) || a.state === 'offline') return;
      if (!ix.sig.profileIds.has(a.profile.id)) return; // preference never bypasses requirements
      if (a.preferred && a.preferred.length >= this.options.limits.maxPreferredPerAgent) return;
      out.push(a);
    };
    for (const id of explicit ?? EMPTY) consider(id);
    if (ix.customerId !== undefined) consider(this.lastAgent.get(ix.customerId, this.now));
    return out;
  }

  private addPreferred(a: Agent, ix: Interaction): void {
    const list = (a.preferred ??= []);
    let i = list.length;
    while (i > 0 && this.sigLess(ix.slot, list[i - 1].slot)) i--;
    list.splice(i, 0, ix);
  }

  /** Ends an interaction's preference window; it joins its signature heap at its own key. */
  private endPreference(ix: Interaction, emitEvent: boolean, requeue = true): void {
    if (ix.preferred === null) return;
    for (const a of ix.preferred) {
      if (!a.preferred) continue;
      const i = a.preferred.indexOf(ix);
      if (i >= 0) a.preferred.splice(i, 1);
      if (a.preferred.length === 0) a.preferred = null;
    }
    ix.preferred = null;
    this.rec[ix.slot * R_SIZE + R_PREF_UNTIL] = Number.NaN;
    if (emitEvent) this.emit({ type: 'PreferenceWindowEnded', at: this.now, interactionId: ix.id });
    if (requeue && ix.status === 'queued') {
      this.pushWaiting(ix);
      this.pendingIxs.push(ix);
    }
  }

  private ensureIxSlot(slot: number): void {
    if ((slot + 1) * R_SIZE <= this.rec.length) return;
    const slots = Math.max(slot + 1, Math.ceil((this.rec.length / R_SIZE) * 1.5));
    const next = new Float64Array(slots * R_SIZE);
    next.set(this.rec);
    this.rec = next;
  }


  /** Sets queue-dependent fields, the ordering key and band timers on entering queue `q`. */
  private enterQueue(ix: Interaction, q: Queue): void {
    ix.queue = q;
    this.rec[ix.slot * R_SIZE + R_ENTERED] = this.now;
    this.rec[ix.slot * R_SIZE + R_DEADLINE] = Number.isNaN(this.rec[ix.slot * R_SIZE + R_EXPLICIT]) ? this.rec[ix.slot * R_SIZE + R_ARRIVAL] + q.objective.thresholdMs : this.rec[ix.slot * R_SIZE + R_EXPLICIT];
    this.rec[ix.slot * R_SIZE + R_ESCALATE] = q.escalateAfterMs === null ? Number.NaN : this.rec[ix.slot * R_SIZE + R_ARRIVAL] + q.escalateAfterMs;
    this.rec[ix.slot * R_SIZE + R_MAX_WAIT] = q.maxWaitMs === null ? Number.NaN : this.now + q.maxWaitMs;
    this.rec[ix.slot * R_SIZE + R_LATE] = this.options.ordering === 'service-objective' ? this.rec[ix.slot * R_SIZE + R_DEADLINE] : Number.NaN;
    let band = BAND_NORMAL;
    if (this.rec[ix.slot * R_SIZE + R_ESCALATE] <= this.now) band = BAND_ESCALATED;
    else if (this.rec[ix.slot * R_SIZE + R_LATE] <= this.now) band = BAND_LATE;
    this.rec[ix.slot * R_SIZE + R_BAND] = band;
    this.rec[ix.slot * R_SIZE + R_KEY] = this.orderKey(ix, band);
    this.lists.append(q.waiting, ix.slot);
  }

  private leaveQueue(ix: Interaction): void {
    if (ix.status === 'offered') ix.queue.offered--;
    this.lists.remove(ix.queue.waiting, ix.slot);
  }

  private boost(ix: Interaction): number {
    const t = this.options.valueTierBoostMs;
    const tier = t.length === 0 ? 0 : t[Math.min(ix.valueTier, t.length - 1)];
    return tier + ix.priority * this.options.priorityBoostMs;
  }

  /** The time-invariant key (ROUTING.md §2); smaller is better within a band. */
  private orderKey(ix: Interaction, band: number): number {
    if (band === BAND_ESCALATED) return this.rec[ix.slot * R_SIZE + R_ARRIVAL];
    switch (this.options.ordering) {
      case 'fifo':
        return this.rec[ix.slot * R_SIZE + R_ARRIVAL];
      case 'priority-age':
        return (MAX_PRIORITY - ix.priority) * PRIORITY_SPAN + this.rec[ix.slot * R_SIZE + R_ARRIVAL];
      case 'deadline':
        return this.rec[ix.slot * R_SIZE + R_DEADLINE] - this.boost(ix);
      case 'service-objective':
        return this.rec[ix.slot * R_SIZE + R_ARRIVAL] - this.boost(ix);
    }
  }

  /**
   * Is head `a` (of σa) better than head `b` (of σb) at `now`? Bands first; then, for the
   * service-objective rule, the larger w_q·(now − key); otherwise the smaller key; then arrival seq.
   */
  private headBetter(a: number, sa: Signature, b: number, sb: Signature, now: number): boolean {
    return this.better(this.rec[a * R_SIZE + R_BAND], this.rec[a * R_SIZE + R_KEY], this.rec[a * R_SIZE + R_SEQ], sa.queue, this.rec[b * R_SIZE + R_BAND], this.rec[b * R_SIZE + R_KEY], this.rec[b * R_SIZE + R_SEQ], sb.queue, now);
  }

  private better(ba: number, ka: number, sa: number, qa: Queue, bb: number, kb: number, sb: number, qb: Queue, now: number): boolean {
    if (ba !== bb) return ba < bb;
    if (this.serviceObjective && ba !== BAND_ESCALATED && qa !== qb) {
      const xa = qa.w * (now - ka);
      const xb = qb.w * (now - kb);
      if (xa !== xb) return xa > xb;
    } else if (ka !== kb) return ka < kb;
    return sa < sb;
  }

  private pushWaiting(ix: Interaction): void {
    const slot = ix.slot;
    ix.sig.heap.push(slot, this.rec[slot * R_SIZE + R_BAND], this.rec[slot * R_SIZE + R_KEY], this.rec[slot * R_SIZE + R_SEQ]);
    this.queuedCount++;
    this.refreshHead(ix.sig);
  }

  private pullWaiting(ix: Interaction): void {
    if (ix.sig.heap.remove(ix.slot)) {
      this.queuedCount--;
      this.refreshHead(ix.sig);
    }
  }

  private refreshHead(sig: Signature): void {
    const h = sig.heap.peek();
    sig.hSlot = h;
    if (h < 0) return;
    sig.hBand = sig.heap.topA();
    sig.hKey = sig.heap.topB();
    sig.hSeq = sig.heap.topC();
    sig.hRejected = this.rec[h * R_SIZE + R_DECLINED] === 1;
  }

  /** Moves a queued or offered interaction to a new band or signature, keeping its key. */
  private rekey(ix: Interaction, band: number, sig: Signature): void {
    const inHeap = ix.sig.heap.has(ix.slot);
    if (inHeap) this.pullWaiting(ix);
    this.rec[ix.slot * R_SIZE + R_BAND] = band;
    this.rec[ix.slot * R_SIZE + R_KEY] = this.orderKey(ix, band);
    ix.sig = sig;
    if (inHeap) this.pushWaiting(ix);
    if (ix.preferred) for (const a of ix.preferred) this.resortPreferred(a, ix);
  }

  private resortPreferred(a: Agent, ix: Interaction): void {
    const list = a.preferred;
    if (!list) return;
    const i = list.indexOf(ix);
    if (i < 0) return;
    list.splice(i, 1);
    this.addPreferred(a, ix);
  }

  private update(id: string, priority: number | undefined, context: unknown, hasContext: boolean): Rejection | null {
    const ix = this.interactions.get(id);
    if (!ix) return this.unknownInteraction(id);
    if (priority !== undefined) {
      const bad = checkPriority(priority);
      if (bad) return bad;
    }
    if (priority === undefined && !hasContext) return reject(RejectCode.INVALID_ARGUMENT, 'nothing to update');
    if (hasContext) ix.context = context;
    if (priority !== undefined && priority !== ix.priority) {
      ix.priority = priority;
      this.rekey(ix, this.rec[ix.slot * R_SIZE + R_BAND], ix.sig);
    }
    this.emit({ type: 'InteractionUpdated', at: this.now, interactionId: id });
    return null;
  }

  private unknownInteraction(id: string): Rejection {
    const done = this.finished.get(id, this.now);
    return done
      ? reject(RejectCode.INTERACTION_FINISHED, `interaction '${id}' already ended (${done})`)
      : reject(RejectCode.UNKNOWN_INTERACTION, `interaction '${id}' is not known`);
  }

  private transfer(id: string, queueId: string, skills: SkillLevels | undefined): Rejection | null {
    const L = this.options.limits;
    const ix = this.interactions.get(id);
    if (!ix) return this.unknownInteraction(id);
    if (ix.status === 'wrap_up') return reject(RejectCode.INVALID_STATE, `interaction '${id}' is in wrap-up`);
    const bad = checkId(queueId, 'queue', L) ?? checkSkillLevels(skills, 'skills', L.maxRequirementsPerInteraction, this.skills, L);
    if (bad) return bad;
    const q = this.queues.get(queueId);
    if (!q) return reject(RejectCode.UNKNOWN_QUEUE, `queue '${queueId}' is not defined`);
    const sig = this.signatureFor(q, ix.ch, skills ?? ix.skills, ix.labels);
    if (!sig) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxSignatures} distinct requirement signatures`);
    const from = ix.queue;
    from.counters.transferredOut++;
    const releasedAgent = ix.status === 'assigned' ? ix.agent!.id : undefined;
    this.moveToQueue(ix, q, sig, 'interaction_transferred');
    if (skills !== undefined) {
      ix.skills = skills;
      ix.relaxation = null;
    }
    this.emit(
      releasedAgent === undefined
        ? { type: 'InteractionTransferred', at: this.now, interactionId: id, fromQueue: from.id, toQueue: q.id }
        : { type: 'InteractionTransferred', at: this.now, interactionId: id, fromQueue: from.id, toQueue: q.id, releasedAgentId: releasedAgent },
    );
    return null;
  }

  /** Transfer and overflow: leave the current stage, enter `q` keeping the original arrival. */
  private moveToQueue(ix: Interaction, q: Queue, sig: Signature, reason: OfferEndReason): void {
    if (ix.status === 'offered') this.closeOffer(ix.offer!, 'rescinded', reason, false);
    else if (ix.status === 'assigned') this.releaseAssignment(ix);
    this.endPreference(ix, false, false);
    this.pullWaiting(ix);
    this.lists.remove(ix.queue.waiting, ix.slot);
    ix.status = 'queued';
    ix.rejectedBy = null;
    this.rec[ix.slot * R_SIZE + R_DECLINED] = 0;
    ix.sig = sig;
    this.enterQueue(ix, q);
    this.pushWaiting(ix);
    this.armTimer(ix);
    this.pendingIxs.push(ix);
  }

  private releaseAssignment(ix: Interaction): void {
    const a = ix.agent!;
    removeFrom(a.assigned, ix);
    this.addLoad(a, ix.offer!.pc, -1);
    ix.agent = null;
    ix.offer = null;
    this.setAgentKey(a);
    this.refreshAgent(a);
    this.pendingAgents.push(a);
  }

  private cancel(id: string, reason: 'cancelled' | 'abandoned'): Rejection | null {
    const ix = this.interactions.get(id);
    if (!ix) return this.unknownInteraction(id);
    if (reason !== 'cancelled' && reason !== 'abandoned') return reject(RejectCode.INVALID_ARGUMENT, 'reason must be cancelled or abandoned');
    if (ix.status === 'wrap_up') return reject(RejectCode.INVALID_STATE, `interaction '${id}' is already in wrap-up`);
    const stage = ix.status as 'queued' | 'offered' | 'assigned';
    const agentId = ix.agent?.id ?? ix.offer?.agent.id;
    if (stage === 'offered') this.closeOffer(ix.offer!, 'rescinded', 'interaction_cancelled', false);
    else if (stage === 'assigned') this.releaseAssignment(ix);
    const type = reason === 'cancelled' ? 'InteractionCancelled' : 'InteractionAbandoned';
    this.emit(
      agentId === undefined
        ? { type, at: this.now, interactionId: id, queueId: ix.queue.id, stage }
        : { type, at: this.now, interactionId: id, queueId: ix.queue.id, stage, agentId },
    );
    if (stage !== 'assigned') ix.queue.counters[reason]++;
    else if (reason === 'cancelled') ix.queue.counters.cancelled++;
    this.finish(ix, reason);
    return null;
  }

  /** Removes a finished interaction from every structure and remembers its id. */
  private finish(ix: Interaction, status: InteractionStatus): void {
    if (ix.status === 'queued' || ix.status === 'offered') {
      // Assignment already took it out of all of these.
      this.endPreference(ix, false, false);
      this.pullWaiting(ix);
      this.lists.remove(ix.queue.waiting, ix.slot);
      this.ixTimers.remove(ix.slot);
      this.offerTimers.remove(ix.slot);
    }
    ix.status = status;
    ix.offer = null;
    ix.agent = null;
    ix.rejectedBy = null;
    this.interactions.delete(ix.id);
    this.ixBySlot[ix.slot] = undefined;
    this.freeIxSlots.push(ix.slot);
    this.finished.set(ix.id, status, this.now);
  }

  // ───────────────────────────── offers ─────────────────────────────

  private makeOffer(ix: Interaction, a: Agent, pc: ProfileChannel): Offer {
    const preferred = ix.preferred !== null;
    if (ix.preferred) this.endPreference(ix, false, false);
    this.pullWaiting(ix);
    const q = ix.queue;
    // The number carries the interaction's slot (low part), so an accept finds its offer
    // without a table: ids stay unique because the sequence (high part) never repeats.
    const number = ++this.offerSeq * SLOT_SPAN + ix.slot;
    const offer: Offer = {
      id: `o${number}`,
      number,
      ix,
      agent: a,
      pc,
      expiresAt: pc.autoAccept ? null : this.now + q.offerTimeoutMs,
      offeredAt: this.now,
      agentKey: this.agentKey[a.slot],
      preferred,
    };
    ix.status = 'offered';
    ix.offer = offer;
    q.offered++;
    this.attach(offer, a);
    this.emit({ type: 'InteractionOffered', at: this.now, interactionId: ix.id, agentId: a.id, offerId: offer.id, expiresAt: offer.expiresAt });
    if (pc.autoAccept) this.assign(offer);
    else {
      this.openOffers++;
      this.rec[ix.slot * R_SIZE + R_OFFER_AT] = offer.expiresAt!;
      this.offerTimers.push(ix.slot);
    }
    return offer;
  }

  private attach(offer: Offer, a: Agent): void {
    offer.agent = a;
    a.offers.push(offer);
    this.addLoad(a, offer.pc, 1);
    a.idleSince = this.now;
    this.setAgentKey(a);
    this.refreshAgent(a);
  }

  private detach(offer: Offer): void {
    const a = offer.agent;
    const i = a.offers.indexOf(offer);
    if (i >= 0) a.offers.splice(i, 1);
    this.addLoad(a, offer.pc, -1);
    this.setAgentKey(a);
    this.refreshAgent(a);
  }

  private assign(offer: Offer): void {
    const ix = offer.ix;
    const a = offer.agent;
    const q = ix.queue;
    const i = a.offers.indexOf(offer);
    if (i >= 0) a.offers.splice(i, 1);
    a.assigned.push(ix);
    if (offer.expiresAt !== null) this.openOffers--;
    this.offerTimers.remove(ix.slot);
    this.recordClosed(offer, a, 'accepted');
    q.offered--;
    this.lists.remove(q.waiting, ix.slot);
    ix.status = 'assigned';
    ix.agent = a;
    this.rec[ix.slot * R_SIZE + R_ASSIGNED] = this.now;
    this.ixTimers.remove(ix.slot);
    q.counters.answered++;
    const queueWaitMs = this.now - this.rec[ix.slot * R_SIZE + R_ENTERED];
    const withinObjective = queueWaitMs <= q.objective.thresholdMs;
    if (withinObjective) q.counters.answeredWithinThreshold++;
    if (ix.customerId !== undefined) this.lastAgent.set(ix.customerId, a.id, this.now);
    this.emit({
      type: 'InteractionAssigned',
      at: this.now,
      interactionId: ix.id,
      agentId: a.id,
      offerId: offer.id,
      queueId: q.id,
      waitMs: this.now - this.rec[ix.slot * R_SIZE + R_ARRIVAL],
      queueWaitMs,
      withinObjective,
    });
  }

  private recordClosed(o: Offer, a: Agent, outcome: OfferOutcome): void {
    const n = o.number;
    const i = Math.floor(n / SLOT_SPAN) % this.closedAgent.length;
    this.closedAgent[i] = a.id;
    this.closedOutcome[i] = OFFER_OUTCOMES.indexOf(outcome);
    this.closedNumber[i] = n;
  }

  private closedOffer(offerId: string): { agentId: string; outcome: OfferOutcome } | undefined {
    const n = offerNumber(offerId);
    if (n < 0) return undefined;
    const i = Math.floor(n / SLOT_SPAN) % this.closedAgent.length;
    if (this.closedNumber[i] !== n) return undefined;
    return { agentId: this.closedAgent[i]!, outcome: OFFER_OUTCOMES[this.closedOutcome[i]] };
  }

  private findOffer(agentId: string, offerId: string): Offer | Rejection {
    const L = this.options.limits;
    const bad = checkId(agentId, 'agent id', L) ?? checkId(offerId, 'offer id', L);
    if (bad) return bad;
    const a = this.agents.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    const n = offerNumber(offerId);
    const holder = n < 0 ? undefined : this.ixBySlot[n % SLOT_SPAN];
    const o = holder !== undefined && holder.status === 'offered' && holder.offer !== null && holder.offer.number === n ? holder.offer : undefined;
    if (!o) {
      const closed = this.closedOffer(offerId);
      if (closed && closed.agentId === agentId) return reject(RejectCode.OFFER_CLOSED, `offer '${offerId}' is closed (${closed.outcome})`);
      if (closed) return reject(RejectCode.OFFER_NOT_YOURS, `offer '${offerId}' was not made to agent '${agentId}'`);
      return reject(RejectCode.UNKNOWN_OFFER, `offer '${offerId}' is not known`);
    }
    if (o.agent !== a) return reject(RejectCode.OFFER_NOT_YOURS, `offer '${offerId}' was not made to agent '${agentId}'`);
    return o;
  }

  private accept(agentId: string, offerId: string): Rejection | null {
    const o = this.findOffer(agentId, offerId);
    if ('code' in o) return o;
    this.assign(o);
    return null;
  }

  private rejectOffer(agentId: string, offerId: string): Rejection | null {
    const o = this.findOffer(agentId, offerId);
    if ('code' in o) return o;
    this.closeOffer(o, 'rejected');
    return null;
  }

  /**
   * Ends an open offer without assignment. The agent's capacity is released; unless the caller
   * is about to move or finish the interaction (`requeue` false), it goes back to its signature
   * heap at its original key. A rejecting agent is never offered it again.
   */
  private closeOffer(o: Offer, outcome: 'rejected' | 'timed_out' | 'rescinded', reason?: OfferEndReason, requeue = true): void {
    const ix = o.ix;
    const a = o.agent;
    this.openOffers--;
    this.offerTimers.remove(ix.slot);
    this.recordClosed(o, a, outcome);
    this.detach(o);
    ix.offer = null;
    ix.queue.offered--;
    ix.status = 'queued';
    if (outcome === 'rejected') {
      (ix.rejectedBy ??= new Set()).add(a);
      this.rec[ix.slot * R_SIZE + R_DECLINED] = 1;
      ix.queue.counters.offersRejected++;
      this.emit({ type: 'OfferRejected', at: this.now, interactionId: ix.id, agentId: a.id, offerId: o.id });
    } else if (outcome === 'timed_out') {
      ix.queue.counters.offersTimedOut++;
      this.emit({ type: 'OfferTimedOut', at: this.now, interactionId: ix.id, agentId: a.id, offerId: o.id });
    } else {
      this.emit({ type: 'OfferRescinded', at: this.now, interactionId: ix.id, agentId: a.id, offerId: o.id, reason: reason! });
    }
    this.pendingAgents.push(a);
    if (!requeue) return;
    if (this.rec[ix.slot * R_SIZE + R_MAX_WAIT] <= this.now) {
      this.maxWaitReached(ix);
      return;
    }
    this.pushWaiting(ix);
    this.armTimer(ix);
    this.pendingIxs.push(ix);
  }

  private complete(agentId: string, id: string): Rejection | null {
    const a = this.agents.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    const ix = this.interactions.get(id);
    if (!ix) return this.unknownInteraction(id);
    if (ix.status !== 'assigned' || ix.agent !== a) return reject(RejectCode.NOT_ASSIGNED_TO_AGENT, `interaction '${id}' is not assigned to agent '${agentId}'`);
    const q = ix.queue;
    q.counters.handleMsTotal += this.now - this.rec[ix.slot * R_SIZE + R_ASSIGNED];
    q.counters.handled++;
    removeFrom(a.assigned, ix);
    // Release what the offer reserved: the profile may have changed since.
    this.addLoad(a, ix.offer!.pc, -1);
    if (q.wrapUpMs > 0) {
      ix.status = 'wrap_up';
      a.wrapping.push(ix);
      a.wrapUntil = Math.max(a.wrapping.length > 1 ? a.wrapUntil : 0, this.now + q.wrapUpMs);
      this.emit({ type: 'InteractionWrapUpStarted', at: this.now, interactionId: id, agentId, until: a.wrapUntil });
      this.agentTimerAt[a.slot] = a.wrapUntil;
      if (this.agentTimers.has(a.slot)) this.agentTimers.update(a.slot);
      else this.agentTimers.push(a.slot);
      if (a.state === 'available') this.changeState(a, 'wrap_up', undefined);
    } else {
      this.emit({ type: 'InteractionCompleted', at: this.now, interactionId: id, agentId, queueId: q.id, handleMs: this.now - this.rec[ix.slot * R_SIZE + R_ASSIGNED] });
      q.counters.completed++;
      this.finish(ix, 'completed');
    }
    this.setAgentKey(a);
    this.refreshAgent(a);
    this.pendingAgents.push(a);
    return null;
  }

  // ───────────────────────────── timers ─────────────────────────────

  /** Files the interaction's next due time (offer expiry, window, relaxation, bands, max wait). */
  private armTimer(ix: Interaction): void {
    let t = Number.POSITIVE_INFINITY;
    if (ix.status === 'queued' || ix.status === 'offered') {
      if (this.rec[ix.slot * R_SIZE + R_PREF_UNTIL] < t) t = this.rec[ix.slot * R_SIZE + R_PREF_UNTIL];
      if (ix.relaxation !== null && ix.relaxStep < ix.relaxation.length) {
        const r = this.rec[ix.slot * R_SIZE + R_ARRIVAL] + ix.relaxation[ix.relaxStep].afterMs;
        if (r < t) t = r;
      }
      const band = this.rec[ix.slot * R_SIZE + R_BAND];
      if (band === BAND_NORMAL && this.rec[ix.slot * R_SIZE + R_LATE] < t) t = this.rec[ix.slot * R_SIZE + R_LATE];
      if (band !== BAND_ESCALATED && this.rec[ix.slot * R_SIZE + R_ESCALATE] < t) t = this.rec[ix.slot * R_SIZE + R_ESCALATE];
      if (ix.status === 'queued' && this.rec[ix.slot * R_SIZE + R_MAX_WAIT] < t) t = this.rec[ix.slot * R_SIZE + R_MAX_WAIT];
    }
    if (t === Number.POSITIVE_INFINITY) {
      this.ixTimers.remove(ix.slot);
      return;
    }
    this.ixTimers.set(ix.slot, t, this.rec[ix.slot * R_SIZE + R_SEQ], 0);
  }

  /** Fires every due timer in due-time order, settling after each. */
  private advance(now: number): void {
    if (!(now >= this.now)) {
      if (!Number.isFinite(now)) throw new Error(`clock must be a finite number, got ${now}`);
      // A clock step backwards is held at the last time seen: keys and timers stay monotone.
      now = this.now;
    }
    this.now = now;
    for (;;) {
      const ti = this.ixTimerHead();
      const to = this.offerTimerHead();
      const tg = this.agentTimerHead();
      if (ti > now && to > now && tg > now) break;
      // Earliest first; ties: wrap-ups, then offers, then interaction timers.
      if (tg <= to && tg <= ti) {
        const a = this.agentBySlot[this.agentTimers.pop()]!;
        if (a.wrapping.length > 0) this.finishWrapUp(a);
      } else if (to <= ti) {
        this.fireOffer(this.ixBySlot[this.offerTimers.pop()]!);
      } else {
        this.fireInteraction(this.ixBySlot[this.ixTimers.pop()]!);
      }
      this.settle();
    }
  }

  /** An offer ran out: the interaction goes back at its place; the agent may be set away. */
  private fireOffer(ix: Interaction): void {
    const o = ix.offer!;
    const a = o.agent;
    this.closeOffer(o, 'timed_out');
    if (ix.queue.noAnswerAway && a.state === 'available') this.changeState(a, 'away', 'no_answer');
  }

  private fireInteraction(ix: Interaction): void {
    const now = this.now;
    if (this.rec[ix.slot * R_SIZE + R_PREF_UNTIL] <= now) this.endPreference(ix, true);
    while (ix.relaxation !== null && ix.relaxStep < ix.relaxation.length && this.rec[ix.slot * R_SIZE + R_ARRIVAL] + ix.relaxation[ix.relaxStep].afterMs <= now) {
      const step = ix.relaxation[ix.relaxStep];
      const sig = this.signatureFor(ix.queue, ix.ch, step.skills, ix.labels);
      ix.relaxStep++;
      if (!sig) continue; // signature limit reached: keep the current requirements
      ix.skills = step.skills;
      this.rekey(ix, this.rec[ix.slot * R_SIZE + R_BAND], sig);
      this.emit({ type: 'InteractionRelaxed', at: now, interactionId: ix.id, step: ix.relaxStep });
      if (ix.status === 'queued') this.pendingIxs.push(ix);
    }
    const band = this.rec[ix.slot * R_SIZE + R_BAND];
    if (band !== BAND_ESCALATED && this.rec[ix.slot * R_SIZE + R_ESCALATE] <= now) {
      this.rekey(ix, BAND_ESCALATED, ix.sig);
      this.emit({ type: 'InteractionReclassified', at: now, interactionId: ix.id, band: 'escalated' });
    } else if (band === BAND_NORMAL && this.rec[ix.slot * R_SIZE + R_LATE] <= now) {
      this.rekey(ix, BAND_LATE, ix.sig);
      this.emit({ type: 'InteractionReclassified', at: now, interactionId: ix.id, band: 'late' });
    }
    if (this.rec[ix.slot * R_SIZE + R_MAX_WAIT] <= now && ix.status === 'queued') {
      this.maxWaitReached(ix);
      return;
    }
    this.armTimer(ix);
  }

  /** Max wait in queue: overflow to the queue's target, or expire. An open offer runs its course. */
  private maxWaitReached(ix: Interaction): void {
    const q = ix.queue;
    const target = q.overflowQueue === null ? undefined : this.queues.get(q.overflowQueue);
    const sig = target ? this.signatureFor(target, ix.ch, ix.skills, ix.labels) : null;
    if (target && sig) {
      q.counters.overflowed++;
      this.moveToQueue(ix, target, sig, 'interaction_transferred');
      this.emit({ type: 'InteractionOverflowed', at: this.now, interactionId: ix.id, fromQueue: q.id, toQueue: target.id });
      return;
    }
    q.counters.expired++;
    this.emit({ type: 'InteractionExpired', at: this.now, interactionId: ix.id, queueId: q.id });
    this.finish(ix, 'expired');
  }

  // ───────────────────────────── matching ─────────────────────────────

  private alive(ix: Interaction): boolean {
    return this.ixBySlot[ix.slot] === ix;
  }

  private isRejected(ix: Interaction, a: Agent): boolean {
    return ix.rejectedBy !== null && ix.rejectedBy.has(a);
  }

  /** Restores I4 after a step: fast paths for one agent or one interaction, else a batch. */
  private settle(): void {
    while (this.pendingAgents.length > 0 || this.pendingIxs.length > 0) {
      const agents = this.pendingAgents;
      const ixs = this.pendingIxs;
      this.pendingAgents = this.spareAgents;
      this.pendingIxs = this.spareIxs;
      if (ixs.length === 0 && agents.length === 1) this.agentPath(agents[0]);
      else if (agents.length === 0 && ixs.length === 1) this.interactionPath(ixs[0]);
      else this.batch(agents, ixs);
      agents.length = 0;
      ixs.length = 0;
      this.spareAgents = agents;
      this.spareIxs = ixs;
    }
  }

  /** A new or returned interaction: the best available eligible agent takes it, if any. */
  private interactionPath(ix: Interaction): void {
    if (ix.status !== 'queued' || !this.alive(ix)) return;
    if (ix.preferred !== null) {
      for (const a of ix.preferred) {
        const pc = a.profile.byCh[ix.ch];
        if (pc && this.canTake(a, pc) && ix.sig.profileIds.has(a.profile.id) && !this.isRejected(ix, a)) {
          this.makeOffer(ix, a, pc);
          return;
        }
      }
      return;
    }
    if (ix.sig.avail === 0) return;
    const pick = this.bestAgentFor(ix, null);
    if (pick) this.makeOffer(ix, pick.agent, pick.pc);
  }

  /** The best available agent for `ix` under the agent-selection policy, skipping decliners. */
  private bestAgentFor(ix: Interaction, exclude: Agent | null): { agent: Agent; pc: ProfileChannel } | null {
    const sig = ix.sig;
    const pcs = sig.pcs;
    const bestSkill = this.options.agentSelection === 'best-skill';
    let best = -1;
    let bestPc: ProfileChannel | null = null;
    let bestProf = -1;
    const plain = ix.rejectedBy === null && exclude === null;
    for (let i = 0; i < pcs.length; i++) {
      const pc = pcs[i];
      if (pc.heap.size === 0) continue;
      if (bestSkill && bestPc !== null && sig.proficiency[i] < bestProf) break;
      let h = pc.heap.peek();
      if (!plain) {
        this.matchAgent = exclude;
        this.matchIx = ix;
        if (!this.agentFitsMatchIx(h)) h = pc.heap.findFirst(this.agentFitsMatchIx);
        if (h < 0) continue;
      }
      if (best < 0 || this.agentLess(h, best)) {
        best = h;
        bestPc = pc;
        bestProf = sig.proficiency[i];
      }
    }
    return bestPc === null ? null : { agent: this.agentBySlot[best]!, pc: bestPc };
  }

  /** A freed agent: fills its capacity with the best heads among its eligible signatures. */
  private agentPath(a: Agent): void {
    for (;;) {
      if (a.state !== 'available' || this.agentBySlot[a.slot] !== a) return;
      if (a.preferred !== null && this.servePreferred(a)) continue;
      const pick = this.bestHeadFor(a);
      if (pick === null) return;
      this.makeOffer(pick.ix, a, pick.pc);
    }
  }

  private servePreferred(a: Agent): boolean {
    for (const ix of a.preferred!) {
      const pc = a.profile.byCh[ix.ch];
      if (pc && this.canTake(a, pc) && ix.sig.profileIds.has(a.profile.id) && !this.isRejected(ix, a)) {
        this.makeOffer(ix, a, pc);
        return true;
      }
    }
    return false;
  }

  /**
   * The best waiting interaction agent `a` can take now, over E(p, c) for its free channels.
   * Compares the signatures' cached heads; only a head this agent declined sends it into the heap.
   */
  private bestHeadFor(a: Agent): { ix: Interaction; pc: ProfileChannel } | null {
    const now = this.now;
    let bestPc: ProfileChannel | null = null;
    let bSlot = -1;
    let bBand = 0;
    let bKey = 0;
    let bSeq = 0;
    let bQueue: Queue | null = null;
    const chans = a.profile.chans;
    for (let c = 0; c < chans.length; c++) {
      const pc = chans[c];
      if (!this.canTake(a, pc)) continue;
      const sigs = pc.sigs;
      for (let i = 0; i < sigs.length; i++) {
        const sig = sigs[i];
        let slot = sig.hSlot;
        if (slot < 0) continue;
        let band = sig.hBand;
        let key = sig.hKey;
        let seq = sig.hSeq;
        if (sig.hRejected && this.isRejected(this.ixBySlot[slot]!, a)) {
          this.matchAgent = a;
          slot = sig.heap.findFirst(this.notDeclinedByMatchAgent);
          if (slot < 0) continue;
          band = this.rec[slot * R_SIZE + R_BAND];
          key = this.rec[slot * R_SIZE + R_KEY];
          seq = this.rec[slot * R_SIZE + R_SEQ];
        }
        if (bestPc === null || this.better(band, key, seq, sig.queue, bBand, bKey, bSeq, bQueue!, now)) {
          bestPc = pc;
          bSlot = slot;
          bBand = band;
          bKey = key;
          bSeq = seq;
          bQueue = sig.queue;
        }
      }
    }
    return bestPc === null ? null : { ix: this.ixBySlot[bSlot]!, pc: bestPc };
  }

  /**
   * Batch matching (a shift logs in, a reject frees an agent and requeues work, many wrap-ups
   * end together). Candidate signatures are merged in global priority order; each head takes
   * the best available agent by policy. When a head finds every eligible agent already taken in
   * this batch, a one-step augmenting move re-homes an earlier pick onto another free agent, so
   * the batch serves as many interactions as it can without demoting any earlier (better) one.
   * Leftover capacity (heads blocked only by their own decliners) is then filled agent by agent.
   */
  private batch(agents: Agent[], ixs: Interaction[]): void {
    for (const a of agents) if (a.state === 'available' && a.preferred !== null) while (a.preferred !== null && this.servePreferred(a));
    for (const ix of ixs) if (ix.preferred !== null) this.interactionPath(ix);

    const cand = new Set<Signature>();
    for (const a of agents) {
      if (a.state !== 'available') continue;
      for (const pc of a.profile.chans) if (this.canTake(a, pc)) for (const s of pc.sigs) if (s.heap.size > 0) cand.add(s);
    }
    for (const ix of ixs) if (ix.status === 'queued' && ix.preferred === null && ix.sig.avail > 0) cand.add(ix.sig);

    // Signatures merged in global head order: an indexed heap over signature ids.
    const merge = this.mergeHeap;
    for (const s of cand) merge.push(s.id);

    const picks: Offer[] = [];
    const eventAt = new Map<Offer, number>();
    while (merge.size > 0) {
      const sig = this.signatureList[merge.pop()];
      if (sig.heap.size === 0) continue;
      const ix = this.ixBySlot[sig.heap.peek()]!;
      let pick = sig.avail > 0 ? this.bestAgentFor(ix, null) : null;
      if (pick === null) {
        if (!this.augment(ix, picks, eventAt)) continue; // σ drops out; leftovers handled below
      } else {
        const at = this.events.length;
        const o = this.makeOffer(ix, pick.agent, pick.pc);
        if (o.expiresAt !== null) {
          picks.push(o);
          eventAt.set(o, at);
        }
      }
      if (sig.heap.size > 0) merge.push(sig.id);
    }
    if (eventAt.size > 0) this.events = this.events.filter((e) => e !== TOMBSTONE);
    for (const a of agents) this.agentPath(a);
    for (const ix of ixs) this.interactionPath(ix);
  }

  /**
   * One-step augmenting move for `ix`, whose eligible agents are all taken: find an earlier pick
   * (Y on agent A) with A eligible for `ix` and another free agent B for Y; move Y to B (patching
   * its offer event, which has not left the engine yet) and offer `ix` to A.
   */
  private augment(ix: Interaction, picks: Offer[], eventAt: Map<Offer, number>): boolean {
    const sigX = ix.sig;
    const limit = Math.min(picks.length, 4096);
    for (let i = 0; i < limit; i++) {
      const y = picks[i];
      if (y.ix.status !== 'offered' || y.ix.offer !== y) continue;
      const A = y.agent;
      if (!sigX.profileIds.has(A.profile.id) || this.isRejected(ix, A) || A.state !== 'available') continue;
      if (y.ix.sig.avail === 0) continue;
      const alt = this.bestAgentFor(y.ix, A);
      if (alt === null) continue;
      const pcA = A.profile.byCh[ix.ch]!;
      this.detach(y);
      if (!this.canTake(A, pcA)) {
        this.attach(y, A);
        continue;
      }
      y.pc = alt.pc;
      y.agentKey = this.agentKey[alt.agent.slot];
      this.attach(y, alt.agent);
      // The move is reported in the order it happened: the earlier offer event (not yet out of
      // the engine) is dropped and re-emitted now, so event order replays capacity correctly.
      const e = eventAt.get(y)!;
      const old = this.events[e] as Extract<EngineEvent, { type: 'InteractionOffered' }>;
      this.events[e] = TOMBSTONE;
      eventAt.set(y, this.events.length);
      this.emit({ ...old, agentId: alt.agent.id });
      const at = this.events.length;
      const o = this.makeOffer(ix, A, pcA);
      if (o.expiresAt !== null) {
        picks.push(o);
        eventAt.set(o, at);
      }
      return true;
    }
    return false;
  }
}

/** Placeholder for an offer event superseded within the same batch; filtered before return. */
const TOMBSTONE = { type: 'InteractionUpdated', at: 0, interactionId: '' } as EngineEvent;

const DEFAULT_CAPACITY: CapacitySpec = { total: 1, channels: { voice: { cost: 1, max: 1 } } };

/** The number of an offer id `o<number>`, or -1 when it is not one. */
function offerNumber(offerId: string): number {
  if (offerId.length < 2 || offerId.charCodeAt(0) !== 111 /* o */) return -1;
  let n = 0;
  for (let i = 1; i < offerId.length; i++) {
    const c = offerId.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || (i === 1 && c === 0)) return -1;
    n = n * 10 + c;
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  return n;
}

function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
}

/** Does every agent of profile `p` meet σ's skill minima and label selectors? */
function satisfies(p: Profile, sig: Signature): boolean {
  for (const [s, min] of sig.skills) if ((p.levels.get(s) ?? 0) < min) return false;
  for (const [k, v] of sig.labels) if (p.labels.get(k) !== v) return false;
  return true;
}
