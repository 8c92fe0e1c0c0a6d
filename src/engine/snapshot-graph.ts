/**
 * Snapshot and restore of one engine: the entity graph (queues, profiles, signatures, agents,
 * interactions and the offers between them) turned into the plain records of snapshot.ts, and
 * back. Every index and heap is copied in its exact array order, so a restored engine answers
 * every later command exactly as the original would, event for event.
 */
import { KeyedHeap } from '../queues/keyed-heap.ts';
import type { Agent, Interaction, Offer, ProfileChannel, Queue, QueueCounters, Signature } from './entities.ts';
import type { EngineParts } from './engine-parts.ts';
import { firedRules, heldUntil, R_SIZE } from './interaction-table.ts';
import { activityOf } from './conversations.ts';
import { signaturesOf } from './matching.ts';
import { newProfile, signatureKey } from './routing-index.ts';
import { requirementsOf, type Requirements } from './requirements.ts';
import { type Clause, toClauses } from './selectors.ts';
import type { ExceptionRule, OverloadRecovery, OverloadThresholds, QueueHours, RepeatContact } from './types.ts';
import {
  SNAPSHOT_FORMAT,
  type AgentSnapshot,
  type EngineSnapshot,
  type InteractionSnapshot,
  type OfferSnapshot,
  type ProfileSnapshot,
  type QueueSnapshot,
  type RequirementsRest,
  type SignatureSnapshot,
} from './snapshot.ts';

type QueueSettings = Omit<QueueSnapshot, 'id' | 'waiting' | 'offered' | 'counters' | 'overloaded'> & {
  readonly membersOnly: boolean;
  readonly wrapUpMode: 'timed' | 'manual';
  readonly offerFanout: number;
  readonly reservedIdle: number;
  readonly exceptions: readonly ExceptionRule[];
  readonly reserveWhen: OverloadThresholds | null;
  readonly reserveUntil: OverloadRecovery | null;
  readonly deferrable: { readonly whileHealthy: readonly string[] } | null;
  readonly hours: QueueHours | null;
  readonly repeatContact: RepeatContact | null;
  readonly offerJourney: number | null;
};

/** A queue's settings (not its state), copied: for snapshots, both ways (in queue-settings.ts's field order, so restored and new queues share one shape). */
function queueSettings(q: Omit<QueueSnapshot, 'id' | 'waiting' | 'offered' | 'counters' | 'overloaded'>): QueueSettings {
  return {
    objective: { percent: q.objective.percent, thresholdMs: q.objective.thresholdMs },
    weight: q.weight,
    w: q.w,
    defaultPriority: q.defaultPriority,
    offerTimeoutMs: q.offerTimeoutMs,
    wrapUpMs: q.wrapUpMs,
    wrapUpMode: q.wrapUpMode ?? 'timed',
    maxWaitMs: q.maxWaitMs,
    overflowQueue: q.overflowQueue,
    escalateAfterMs: q.escalateAfterMs,
    noAnswerAway: q.noAnswerAway,
    preferredWindowMs: q.preferredWindowMs,
    membersOnly: q.membersOnly ?? false,
    offerFanout: q.offerFanout ?? 1,
    reservedIdle: q.reservedIdle ?? 0,
    exceptions: q.exceptions ?? [],
    reserveWhen: q.reserveWhen ?? null,
    reserveUntil: q.reserveUntil ?? null,
    deferrable: q.deferrable ?? null,
    hours: q.hours ?? null,
    repeatContact: q.repeatContact ?? null,
    offerJourney: q.offerJourney ?? null,
  };
}

/** The whole state as plain data: a copy, so the engine may go on at once. O(state). */
export function takeSnapshot(e: EngineParts, now: number): EngineSnapshot {
  const { ixs, agents: agentTable, index, deadlines: d, closed } = e;
  const slotsOf = (xs: readonly { slot: number }[]) => xs.map((x) => x.slot);
  const queues = [...e.queues.values()].map(
    (q): QueueSnapshot => ({
      id: q.id,
      idx: q.idx,
      ...queueSettings(q),
      ...(q.overloaded ? { overloaded: true } : {}),
      waiting: { head: q.waiting.head, tail: q.waiting.tail, size: q.waiting.size },
      offered: q.offered,
      counters: { ...q.counters },
    }),
  );
  const profiles: (ProfileSnapshot | null)[] = index.profileList.map(() => null);
  for (const [key, p] of index.profiles) {
    profiles[p.id] = {
      key,
      levels: [...p.levels],
      labels: [...p.labels],
      queues: [...p.queues].map(([id, m]) => (m.reserve ? [id, m.level, m.delayMs, true] : [id, m.level, m.delayMs])),
      total: p.total,
      staffed: p.staffed,
      chans: p.chans.map((pc) => [pc.ch, pc.cost, pc.max, pc.autoAccept, pc.interruptible, pc.heap.dump(), pc.sigs.map((g) => g.id), pc.inactiveMax]),
    };
  }
  const signatures: (SignatureSnapshot | null)[] = index.signatureList.map(() => null);
  for (const [key, g] of index.signatures) {
    signatures[g.id] = {
      key,
      queue: g.queue.idx,
      ch: g.ch,
      alt: g.alt,
      skills: g.skills.map(([k, v]) => [k, v]),
      selectors: [...g.selectors],
      heap: g.heap.dump(),
      pcs: g.pcs.map((pc) => [pc.profile.id, pc.ch]),
      proficiency: [...g.proficiency],
      profileIds: [...g.profileIds],
      avail: g.avail,
      head: [g.hSlot, g.hBand, g.hKey, g.hSeq, g.hRejected],
    };
  }
  const agents: AgentSnapshot[] = [];
  for (const a of agentTable.byId.values()) {
    agents.push([
      a.slot,
      a.id,
      a.profile.id,
      a.state,
      a.reason,
      [...a.load],
      a.units,
      a.nonInterruptibleUnits,
      // An agent holds at most one open offer of an interaction: its slot names the offer.
      a.offers.map((o) => {
        if (o.ix.offer !== o && !o.ix.open?.includes(o)) throw new Error(`offer ${o.id} is not its interaction's`);
        return o.ix.slot;
      }),
      slotsOf(a.assigned),
      slotsOf(a.wrapping),
      a.wrapUntil,
      a.idleSince,
      a.inHeaps,
      a.preferred ? slotsOf(a.preferred) : null,
      a.lastOfferAt,
      a.stateSince,
    ]);
  }
  const interactions: InteractionSnapshot[] = [];
  for (const ix of ixs.byId.values()) {
    const o = ix.offer;
    interactions.push([
      ix.slot,
      ix.id,
      ix.seq,
      ix.channel,
      ix.ch,
      ix.queue.idx,
      ix.req === null ? {} : ix.req.skills,
      ix.req === null ? null : { labels: ix.req.labels, selectors: ix.req.selectors, alternatives: ix.req.alternatives },
      ix.sig.id,
      ix.status,
      ix.priority,
      ix.valueTier,
      ix.customerId,
      ix.context,
      o ? offerSnapshot(o) : null,
      ix.agent ? ix.agent.slot : null,
      // A decliner since removed is left out: its slot may hold another agent now.
      ix.rejectedBy ? [...ix.rejectedBy].filter((a) => agentTable.bySlot[a.slot] === a).map((a) => a.slot) : null,
      ix.preferred ? slotsOf(ix.preferred) : null,
      ix.relaxation,
      ix.relaxStep,
      ix.more === null ? null : ix.more.transferId,
      ix.alts === null ? null : ix.alts.map((g) => g.id),
      ix.required,
      ix.open === null ? null : ix.open.map(offerSnapshot),
      heldUntil(ix),
      firedRules(ix),
      activityOf(ix),
    ]);
  }
  return {
    format: SNAPSHOT_FORMAT,
    options: e.options,
    now,
    seq: ixs.seq,
    offerSeq: ixs.offerSeq,
    queuedCount: ixs.queuedCount,
    openOffers: ixs.openOffers,
    skills: [...index.skills],
    channels: [...index.channelNames],
    queues,
    profiles,
    signatures,
    agents,
    agentSlots: agentTable.bySlot.length,
    freeAgentSlots: [...agentTable.freeSlots],
    agentKey: agentTable.key.slice(),
    agentTimerAt: agentTable.timerAt.slice(),
    interactions,
    ixSlots: ixs.bySlot.length,
    freeIxSlots: [...ixs.freeSlots],
    rec: ixs.rec.slice(0, ixs.bySlot.length * R_SIZE),
    closedAgent: Array.from(closed.agent, (x) => x ?? '').join('\u0000'),
    closedOutcome: closed.outcome.slice(),
    closedNumber: closed.number.slice(),
    finished: e.finished.dump(),
    lastAgent: e.lastAgent.dump(),
    nextQueueIdx: index.nextQueueIdx,
    idleProfiles: [...index.idleProfiles].map((p) => p.id),
    idleSignatures: [...index.idleSignatures].map((g) => g.id),
    freeProfileIds: [...index.freeProfileIds],
    freeSignatureIds: [...index.freeSignatureIds],
    sigPos: index.sigPos.map((p) => p.dump()),
    agentPos: index.agentPos.map((p) => p.dump()),
    lists: e.lists.dump(),
    ixTimers: d.ixTimers.dump(),
    ixTimerPos: d.ixTimerPos.dump(),
    offerTimers: d.offerTimers.dump(),
    offerTimerPos: d.offerTimerPos.dump(),
    agentTimers: d.agentTimers.dump(),
    agentTimerPos: d.agentTimerPos.dump(),
  };
}

/** Fills a new engine's empty parts with the state of `snap`; returns the snapshot's clock. */
export function loadSnapshot(e: EngineParts, snap: EngineSnapshot): number {
  const { ixs, agents: agentTable, index, deadlines: d, closed } = e;
  ixs.seq = snap.seq;
  ixs.offerSeq = snap.offerSeq;
  ixs.queuedCount = snap.queuedCount;
  ixs.openOffers = snap.openOffers;
  for (const s of snap.skills) index.skills.add(s);
  for (const c of snap.channels) index.channelIndex(c, true);
  snap.agentPos.forEach((pos, i) => {
    index.agentPos[i].load(pos);
  });
  const queueByIdx: Queue[] = [];
  snap.queues.forEach((q, position) => {
    const idx = q.idx ?? position;
    const queue: Queue = {
      idx,
      id: q.id,
      ...queueSettings(q),
      waiting: { id: idx, head: q.waiting.head, tail: q.waiting.tail, size: q.waiting.size },
      idleMembers: new Set(),
      overloaded: q.overloaded === true,
      deferred: false,
      hoursOpen: true,
      hoursFrom: 0,
      hoursUntil: Number.NEGATIVE_INFINITY,
      staffed: 0,
      offered: q.offered,
      counters: { ...(q.counters as unknown as QueueCounters) },
    };
    queueByIdx[idx] = queue;
    e.queues.set(q.id, queue);
  });
  index.nextQueueIdx = snap.nextQueueIdx ?? snap.queues.length;
  // Collected profiles and signatures are holes (null) at their ids.
  snap.profiles.forEach((ps, pid) => {
    if (!ps) return;
    const queues = new Map((ps.queues ?? []).map(([id, level, delayMs, reserve]) => [id, { level, delayMs, reserve: reserve === true }]));
    const profile = newProfile(pid, ps.key, new Map(ps.levels), new Map(ps.labels), queues, ps.total);
    profile.staffed = ps.staffed;
    for (const [ch, cost, max, autoAccept, interruptible, heap, , inactiveMax] of ps.chans) {
      const pc: ProfileChannel = {
        profile,
        ch,
        cost,
        max,
        autoAccept,
        interruptible,
        inactiveMax: inactiveMax ?? 0,
        heap: index.agentHeap(ch),
        sigs: [],
        levels: [],
        delays: [],
      };
      pc.heap.load(heap);
      profile.chans.push(pc);
      profile.byCh[ch] = pc;
    }
    index.profiles.set(ps.key, profile);
    index.profileList[pid] = profile;
  });
  snap.signatures.forEach((gs, gid) => {
    if (!gs) return;
    const selectors = gs.selectors ?? clausesOfLabels(gs.labels ?? []);
    // Format 1 keyed label pairs otherwise: its signatures get today's key, so new work with the
    // same requirements joins them.
    const key =
      gs.selectors !== undefined
        ? gs.key
        : signatureKey(
            gs.queue,
            gs.ch,
            gs.skills.map(([s]) => s),
            Object.fromEntries(gs.skills),
            selectors,
            0,
          );
    const alt = gs.alt ?? 0;
    const g: Signature = {
      id: gid,
      key,
      refs: 0,
      queue: queueByIdx[gs.queue],
      ch: gs.ch,
      alt,
      skills: gs.skills,
      selectors,
      heap: new KeyedHeap(index.sigPos[alt]),
      pcs: gs.pcs.map(([pid, ch]) => index.profileList[pid]!.byCh[ch]!),
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
    index.signatures.set(key, g);
    index.signatureList[gid] = g;
  });
  snap.profiles.forEach((ps, pid) => {
    if (!ps) return;
    const profile = index.profileList[pid]!;
    ps.chans.forEach(([, , , , , , sigs], i) => {
      const pc = profile.chans[i];
      for (const id of sigs) {
        const sig = index.signatureList[id]!;
        const m = profile.queues.get(sig.queue.id);
        pc.sigs.push(sig);
        pc.levels.push(m?.level ?? 1);
        pc.delays.push(m?.delayMs ?? 0);
      }
    });
  });
  const sigPos = snap.sigPos instanceof Int32Array ? [snap.sigPos] : snap.sigPos;
  sigPos.forEach((pos, k) => {
    index.sigPos[k].load(pos);
  });

  agentTable.bySlot = new Array(snap.agentSlots).fill(undefined);
  agentTable.freeSlots.push(...snap.freeAgentSlots);
  agentTable.key = snap.agentKey.slice();
  agentTable.timerAt = snap.agentTimerAt.slice();
  const L = e.options.limits;
  for (const [
    slot,
    id,
    pid,
    state,
    reason,
    load,
    units,
    nonInterruptibleUnits,
    ,
    ,
    ,
    wrapUntil,
    idleSince,
    inHeaps,
    ,
    lastOfferAt,
    stateSince,
  ] of snap.agents) {
    const a: Agent = {
      slot,
      id,
      profile: index.profileList[pid]!,
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
      stateSince: stateSince ?? 0,
      lastOfferAt: lastOfferAt ?? 0,
      inHeaps,
      preferred: null,
      idle: false,
      waitingForRoom: null,
    };
    a.load.set(load);
    agentTable.add(a);
  }

  ixs.bySlot = new Array(snap.ixSlots).fill(undefined);
  ixs.freeSlots.push(...snap.freeIxSlots);
  ixs.rec = new Float64Array(Math.max(1024, snap.ixSlots) * R_SIZE);
  ixs.rec.set(snap.rec);
  for (const x of snap.interactions) {
    const ix: Interaction = {
      slot: x[0],
      id: x[1],
      seq: x[2],
      channel: x[3],
      ch: x[4],
      queue: queueByIdx[x[5]],
      req: restoreRequirements(x[6], x[7], snap.format),
      sig: index.signatureList[x[8]]!,
      alts: x[21] ? x[21].map((id) => index.signatureList[id]!) : null,
      status: x[9],
      priority: x[10],
      valueTier: x[11],
      customerId: x[12] ?? undefined,
      context: x[13],
      offer: null,
      open: null,
      agent: null,
      rejectedBy: null,
      preferred: null,
      required: x[22] ?? false,
      relaxation: x[18],
      relaxStep: x[19],
      more:
        (x[20] ?? null) !== null || (x[24] ?? 0) !== 0 || (x[25] ?? 0) !== 0 || (x[26] ?? 0) !== 0
          ? { transferId: x[20] ?? null, heldUntil: x[24] ?? 0, fired: x[25] ?? 0, activity: x[26] ?? 0 }
          : null,
    };
    ixs.bySlot[ix.slot] = ix;
    ixs.byId.set(ix.id, ix);
  }
  const agentAt = (slot: number) => agentTable.bySlot[slot]!;
  const ixAt = (slot: number) => ixs.bySlot[slot]!;
  for (const x of snap.interactions) {
    const ix = ixAt(x[0]);
    const offer = (o: OfferSnapshot): Offer => ({
      id: `o${o[0]}`,
      number: o[0],
      ix,
      agent: agentAt(o[1]),
      pc: index.profileList[o[2]]!.byCh[o[3]]!,
      expiresAt: o[4],
      offeredAt: o[5],
      agentKey: o[6],
      preferred: o[7],
    });
    if (x[14]) ix.offer = offer(x[14]);
    if (x[23]) ix.open = x[23].map(offer);
    if (x[15] !== null) ix.agent = agentAt(x[15]);
    if (x[16]) ix.rejectedBy = new Set(x[16].map(agentAt));
    if (x[17]) ix.preferred = x[17].map(agentAt);
  }
  for (const x of snap.agents) {
    const a = agentAt(x[0]);
    a.offers.push(...x[8].map((s) => heldBy(ixAt(s), a)));
    a.assigned.push(...x[9].map(ixAt));
    a.wrapping = x[10].map(ixAt);
    if (x[14]) a.preferred = x[14].map(ixAt);
  }

  snap.closedAgent.split('\u0000').forEach((x, i) => {
    closed.agent[i] = x === '' ? undefined : x;
  });
  closed.outcome.set(snap.closedOutcome);
  closed.number.set(snap.closedNumber);
  // Who uses each profile and signature is derived; the idle lists' order is not (it decides
  // what is collected first), so it is restored as written.
  for (const a of agentTable.byId.values()) {
    a.profile.members++;
    for (const o of a.offers) o.pc.profile.members++;
    for (const ix of a.assigned) ix.offer!.pc.profile.members++;
  }
  for (const p of index.profiles.values()) if (p.levelled && p.members > 0) index.levelledProfiles++;
  for (const ix of ixs.byId.values()) for (const g of signaturesOf(ix)) g.refs++;
  const idleProfiles = snap.idleProfiles ?? index.profileList.flatMap((p) => (p && p.members === 0 ? [p.id] : []));
  for (const id of idleProfiles) index.idleProfiles.add(index.profileList[id]!);
  const idleSignatures = snap.idleSignatures ?? index.signatureList.flatMap((g) => (g && g.refs === 0 ? [g.id] : []));
  for (const id of idleSignatures) index.idleSignatures.add(index.signatureList[id]!);
  index.freeProfileIds.push(...(snap.freeProfileIds ?? []));
  index.freeSignatureIds.push(...(snap.freeSignatureIds ?? []));
  e.finished.load(snap.finished);
  e.lastAgent.load(snap.lastAgent);
  e.lists.load(snap.lists);
  d.ixTimers.load(snap.ixTimers);
  d.ixTimerPos.load(snap.ixTimerPos);
  d.offerTimers.load(snap.offerTimers);
  d.offerTimerPos.load(snap.offerTimerPos);
  d.agentTimers.load(snap.agentTimers);
  d.agentTimerPos.load(snap.agentTimerPos);
  return snap.now;
}

/** An interaction's requirements from its record (format 1: skills and exact-match labels). */
function restoreRequirements(skills: Record<string, number>, rest: RequirementsRest | Record<string, string> | null, format: number): Requirements | null {
  if (rest === null) return null;
  if (format === 1) {
    const labels = rest as Record<string, string>;
    return requirementsOf({ skills: Object.keys(skills).length > 0 ? skills : undefined, labels: Object.keys(labels).length > 0 ? labels : undefined });
  }
  const r = rest as RequirementsRest;
  return requirementsOf({
    skills: Object.keys(skills).length > 0 ? skills : undefined,
    labels: r.labels ?? undefined,
    selectors: r.selectors ?? undefined,
    alternatives: r.alternatives ?? undefined,
  });
}

/** Format 1's exact-match label pairs as clauses. */
function clausesOfLabels(pairs: readonly (readonly [string, string])[]): readonly Clause[] {
  return toClauses(Object.fromEntries(pairs), undefined);
}

function offerSnapshot(o: Offer): OfferSnapshot {
  return [o.number, o.agent.slot, o.pc.profile.id, o.pc.ch, o.expiresAt, o.offeredAt, o.agentKey, o.preferred];
}

/** The open offer of `ix` that agent `a` holds (one at most). */
function heldBy(ix: Interaction, a: Agent): Offer {
  if (ix.offer !== null && ix.offer.agent === a) return ix.offer;
  const o = ix.open?.find((x) => x.agent === a);
  if (!o) throw new Error(`agent ${a.id} holds no offer of ${ix.id}`);
  return o;
}
