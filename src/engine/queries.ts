/**
 * Read-only questions about an engine's state: counts, queue statistics, one interaction, one
 * agent's load. They return plain copies, never the engine's records. The O(1) ones may run on
 * every request; those marked O(agents) or O(queue depth) are for supervisors and tools.
 */
import { ACTIVE, activityOf } from './conversations.ts';
import { queueOpen } from './hours.ts';
import { serviceLevel } from './overload.ts';
import { BAND_ESCALATED, BAND_LATE } from './entities.ts';
import type { EngineParts } from './engine-parts.ts';
import type { Interaction, Queue } from './entities.ts';
import { signaturesOf } from './matching.ts';
import { heldUntil, R_ARRIVAL, R_ASSIGNED, R_BAND, R_DEADLINE, R_ENTERED, R_SIZE } from './interaction-table.ts';
import type { AgentStateName, InteractionStatus } from './types.ts';

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
  /** In overload (`reserveWhen`): its reserve agents take its work. */
  readonly overloaded: boolean;
  /** Deferrable and waiting on a queue in overload: its work is not offered. */
  readonly deferred: boolean;
  /** Within its hours of operation (true when it has none). */
  readonly open: boolean;
  /**
   * The wait of the next arrival: waiting × average handle time ÷ its logged-in regular members
   * (the overload rule's measure); null while nothing was handled, or work waits and no member
   * is logged in; 0 when nothing waits.
   */
  readonly estimatedWaitMs: number | null;
}

/** One of a queue's waiting interactions, as ListWaitingInteractions lists them. */
export interface WaitingInteraction {
  readonly interactionId: string;
  readonly channel: string;
  readonly priority: number;
  /** The customer's value tier (its head start under the deadline and service-objective policies). */
  readonly valueTier: number;
  readonly band: 'escalated' | 'normal' | 'late';
  /** Time in this queue (since entering it). */
  readonly waitedMs: number;
  /** `offered`: an offer is open; `queued`: to be offered; `held`: scheduled, not routed before `notBefore`. */
  readonly state: 'offered' | 'queued' | 'held';
  readonly notBefore: number | null;
}

export interface InteractionInfo {
  readonly interactionId: string;
  readonly status: InteractionStatus;
  readonly queueId: string;
  readonly channel: string;
  /** The assigned agent, or the agent of its (first) open offer. */
  readonly agentId: string | null;
  readonly offerId: string | null;
  /** Every open offer (more than one on a multi-offer queue), in the order they were made. */
  readonly offers: readonly { readonly offerId: string; readonly agentId: string; readonly expiresAt: number | null }[];
  /** Scheduled work: held out of routing until then; null when it is not held. */
  readonly notBefore: number | null;
  readonly arrival: number;
  readonly deadline: number;
  readonly priority: number;
  readonly band: 'escalated' | 'normal' | 'late';
  /** 1-based place among this queue's queued interactions in the engine's order; null unless queued. */
  readonly position: number | null;
  /** position × average handle time / staffed eligible agents; null when unknown. */
  readonly estimatedWaitMs: number | null;
  /** While assigned: whether the conversation holds its units (active) or not; null otherwise. */
  readonly activity: 'active' | 'inactive' | 'waiting_for_room' | null;
  readonly context: unknown;
}

export interface AgentLoad {
  readonly agentId: string;
  readonly state: AgentStateName;
  readonly reason: string | undefined;
  /** When it entered its state (epoch ms; 0 when restored from a snapshot older than format 6). */
  readonly stateSince: number;
  readonly units: number;
  readonly total: number;
  readonly channels: Readonly<Record<string, number>>;
  /** Per channel the agent may take: the most it holds at once (offers + assignments). */
  readonly capacity: Readonly<Record<string, number>>;
  /** Open offers, with their interaction's queue and channel and when each was made. */
  readonly offers: readonly { offerId: string; interactionId: string; expiresAt: number | null; queueId: string; channel: string; since: number }[];
  /** Ids of the assigned interactions, in order of assignment (the same order as `assigned`). */
  readonly assignments: readonly string[];
  /** The assigned interactions with the offer the agent accepted (or that was auto-accepted) for each, their queue, channel and assignment time. */
  readonly assigned: readonly { interactionId: string; offerId: string; queueId: string; channel: string; since: number }[];
  readonly wrapping: readonly string[];
  readonly wrapUntil: number | null;
  /** Assigned conversations that hold no units now (inactive), and those of them waiting for room, oldest first. */
  readonly inactive: readonly string[];
  readonly waitingForRoom: readonly string[];
}

export interface EngineCounts {
  readonly interactions: number;
  readonly queued: number;
  readonly offers: number;
  readonly agents: number;
  readonly profiles: number;
  readonly signatures: number;
  readonly queues: number;
  /** Assigned conversations that are inactive, and those of them waiting for their agent's room. */
  readonly inactive: number;
  readonly waitingForRoom: number;
}

export interface AgentSummary {
  readonly agents: number;
  readonly byState: Record<AgentStateName, number>;
  readonly occupied: number;
  readonly idle: number;
}

/** The band's wire name. */
export function bandName(band: number): 'escalated' | 'normal' | 'late' {
  return band === BAND_ESCALATED ? 'escalated' : band === BAND_LATE ? 'late' : 'normal';
}

const ACTIVITY_NAMES = ['active', 'inactive', 'waiting_for_room'] as const;

export function counts(e: EngineParts): EngineCounts {
  return {
    interactions: e.ixs.byId.size,
    queued: e.ixs.queuedCount,
    offers: e.ixs.openOffers,
    agents: e.agents.byId.size,
    profiles: e.index.profiles.size,
    signatures: e.index.signatures.size,
    queues: e.queues.size,
    inactive: e.conversations.inactive,
    waitingForRoom: e.conversations.waiting,
  };
}

export function queueStats(e: EngineParts, queueId: string, now: number): QueueStats | null {
  const q = e.queues.get(queueId);
  if (!q) return null;
  const head = q.waiting.head;
  const c = q.counters;
  return {
    queueId,
    waiting: q.waiting.size - q.offered,
    offered: q.offered,
    oldestWaitMs: head < 0 ? 0 : Math.max(0, now - e.ixs.rec[head * R_SIZE + R_ENTERED]),
    ...c,
    averageHandleMs: c.handled === 0 ? null : c.handleMsTotal / c.handled,
    serviceLevel: serviceLevel(q),
    objective: { percent: q.objective.percent, thresholdMs: q.objective.thresholdMs },
    overloaded: q.overloaded,
    deferred: q.deferred,
    open: queueOpen(q, now),
    estimatedWaitMs: estimatedWait(e, q, q.waiting.size - q.offered, c.handled === 0 ? null : c.handleMsTotal / c.handled),
  };
}

/**
 * The overload rule's wait estimate (overload.ts) for any queue: `waiting` × average handle time
 * ÷ the logged-in regular members, counted over the profiles. O(profiles): a query.
 */
function estimatedWait(e: EngineParts, q: Queue, waiting: number, averageHandleMs: number | null): number | null {
  if (waiting === 0) return 0;
  if (averageHandleMs === null) return null;
  let staffed = 0;
  for (const p of e.index.profileList) {
    if (!p || p.staffed === 0) continue;
    if (p.queues.size > 0 ? p.queues.get(q.id)?.reserve === false : !q.membersOnly) staffed += p.staffed;
  }
  return staffed === 0 ? null : (waiting * averageHandleMs) / staffed;
}

/** Largest `limit` ListWaitingInteractions takes. */
export const MAX_WAITING_LIST = 500;

/**
 * A queue's waiting interactions in routing order: the offered ones first (being offered now),
 * then the queued ones in the order the engine offers them to an agent who may take any of them
 * (band, then the ordering key, then arrival sequence: `Ordering.sigLess`, the order within one
 * queue of every signature's heap and of `headBetter` between them), then the held ones by the
 * end of their hold. At most `limit`; `total` counts them all. O(queue depth · log limit): a query.
 */
export function waitingInteractions(e: EngineParts, queueId: string, limit: number, now: number): { total: number; interactions: WaitingInteraction[] } | null {
  const q = e.queues.get(queueId);
  if (!q) return null;
  const rec = e.ixs.rec;
  const offered: Interaction[] = [];
  const queued: Interaction[] = [];
  const held: Interaction[] = [];
  const less = (a: Interaction, b: Interaction) => e.ordering.sigLess(a.slot, b.slot);
  // Keeps `list` the best `limit` by `before`, sorted (binary insertion).
  const keep = (list: Interaction[], ix: Interaction, before: (a: Interaction, b: Interaction) => boolean) => {
    if (list.length >= limit && !before(ix, list[list.length - 1])) return;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(ix, list[mid])) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, ix);
    if (list.length > limit) list.pop();
  };
  const heldBefore = (a: Interaction, b: Interaction) => heldUntil(a) < heldUntil(b) || (heldUntil(a) === heldUntil(b) && less(a, b));
  let total = 0;
  for (let h = q.waiting.head; h >= 0; h = e.lists.following(h)) {
    const ix = e.ixs.bySlot[h]!;
    total++;
    if (ix.status === 'offered') keep(offered, ix, less);
    else if (heldUntil(ix) > now) keep(held, ix, heldBefore);
    else keep(queued, ix, less);
  }
  const interactions = [...offered, ...queued, ...held].slice(0, limit).map((ix): WaitingInteraction => {
    const r = ix.slot * R_SIZE;
    const hold = heldUntil(ix);
    return {
      interactionId: ix.id,
      channel: ix.channel,
      priority: ix.priority,
      valueTier: ix.valueTier,
      band: bandName(rec[r + R_BAND]),
      waitedMs: Math.max(0, now - rec[r + R_ENTERED]),
      state: ix.status === 'offered' ? 'offered' : hold > now ? 'held' : 'queued',
      notBefore: hold > now ? hold : null,
    };
  });
  return { total, interactions };
}

/** What an offer shows the agent: the interaction's channel, queue and context. O(1). */
export function offered(e: EngineParts, interactionId: string): { channel: string; queueId: string; context: unknown; offerJourney: number | null } | null {
  const ix = e.ixs.byId.get(interactionId);
  return ix ? { channel: ix.channel, queueId: ix.queue.id, context: ix.context, offerJourney: ix.queue.offerJourney } : null;
}

export function interactionInfo(e: EngineParts, interactionId: string, now: number): InteractionInfo | null {
  const ix = e.ixs.byId.get(interactionId);
  if (!ix) return null;
  let position: number | null = null;
  let estimatedWaitMs: number | null = null;
  if (ix.status === 'queued') {
    // O(queue depth): a query, never on the routing path.
    position = 1;
    for (let h = ix.queue.waiting.head; h >= 0; h = e.lists.following(h)) {
      const other = e.ixs.bySlot[h]!;
      if (other !== ix && other.status === 'queued' && e.ordering.headBetter(other.slot, other.sig, ix.slot, ix.sig, now)) position++;
    }
    const c = ix.queue.counters;
    let staffed = 0;
    const seen = new Set<number>();
    for (const sig of signaturesOf(ix))
      for (const pc of sig.pcs)
        if (!seen.has(pc.profile.id)) {
          seen.add(pc.profile.id);
          staffed += pc.profile.staffed;
        }
    if (c.handled > 0 && staffed > 0) estimatedWaitMs = (position * (c.handleMsTotal / c.handled)) / staffed;
  }
  const rec = e.ixs.rec;
  return {
    interactionId: ix.id,
    status: ix.status,
    queueId: ix.queue.id,
    channel: ix.channel,
    agentId: ix.agent?.id ?? ix.offer?.agent.id ?? null,
    offerId: ix.offer?.id ?? null,
    notBefore: heldUntil(ix) === 0 ? null : heldUntil(ix),
    offers: ix.status !== 'offered' ? [] : [ix.offer!, ...(ix.open ?? [])].map((o) => ({ offerId: o.id, agentId: o.agent.id, expiresAt: o.expiresAt })),
    arrival: rec[ix.slot * R_SIZE + R_ARRIVAL],
    deadline: rec[ix.slot * R_SIZE + R_DEADLINE],
    priority: ix.priority,
    band: bandName(rec[ix.slot * R_SIZE + R_BAND]),
    position,
    estimatedWaitMs,
    activity: ix.status === 'assigned' ? ACTIVITY_NAMES[activityOf(ix)] : null,
    context: ix.context,
  };
}

export function agentLoad(e: EngineParts, agentId: string): AgentLoad | null {
  const a = e.agents.byId.get(agentId);
  if (!a) return null;
  const names = e.index.channelNames;
  const channels: Record<string, number> = {};
  for (let c = 0; c < names.length; c++) if (a.load[c] > 0) channels[names[c]] = a.load[c];
  const capacity: Record<string, number> = {};
  for (const pc of a.profile.chans) capacity[names[pc.ch]] = pc.max;
  return {
    agentId,
    state: a.state,
    reason: a.reason,
    stateSince: a.stateSince,
    units: a.units,
    total: a.profile.total,
    channels,
    capacity,
    offers: a.offers.map((o) => ({
      offerId: o.id,
      interactionId: o.ix.id,
      expiresAt: o.expiresAt,
      queueId: o.ix.queue.id,
      channel: o.ix.channel,
      since: o.offeredAt,
    })),
    assignments: a.assigned.map((ix) => ix.id),
    // An assigned interaction keeps its accepted offer until it finishes or leaves the agent.
    assigned: a.assigned.map((ix) => ({
      interactionId: ix.id,
      offerId: ix.offer!.id,
      queueId: ix.queue.id,
      channel: ix.channel,
      since: e.ixs.rec[ix.slot * R_SIZE + R_ASSIGNED],
    })),
    wrapping: a.wrapping.map((ix) => ix.id),
    wrapUntil: a.wrapping.length > 0 && Number.isFinite(a.wrapUntil) ? a.wrapUntil : null,
    inactive: a.assigned.filter((ix) => activityOf(ix) !== ACTIVE).map((ix) => ix.id),
    waitingForRoom: a.waitingForRoom === null ? [] : a.waitingForRoom.map((ix) => ix.id),
  };
}

/** Agents by state, how many hold assigned or wrapping work, how many are available with nothing. O(agents). */
export function agentSummary(e: EngineParts): AgentSummary {
  const byState: Record<AgentStateName, number> = { offline: 0, available: 0, away: 0, wrap_up: 0 };
  let occupied = 0;
  let idle = 0;
  for (const a of e.agents.byId.values()) {
    byState[a.state]++;
    if (a.assigned.length > 0 || a.wrapping.length > 0) occupied++;
    else if (a.state === 'available' && a.offers.length === 0) idle++;
  }
  return { agents: e.agents.byId.size, byState, occupied, idle };
}

/** Number of signatures a profile's agents look at (g in the cost model), for benchmarks. */
export function eligibleSignatureStats(e: EngineParts): { meanPerProfile: number; maxPerProfile: number; meanProfilesPerSignature: number } {
  const profiles = [...e.index.profiles.values()];
  const signatures = [...e.index.signatures.values()];
  let sum = 0;
  let max = 0;
  for (const p of profiles) {
    let n = 0;
    for (const pc of p.chans) n += pc.sigs.length;
    sum += n;
    max = Math.max(max, n);
  }
  let f = 0;
  for (const s of signatures) f += s.pcs.length;
  return {
    meanPerProfile: profiles.length ? sum / profiles.length : 0,
    maxPerProfile: max,
    meanProfilesPerSignature: signatures.length ? f / signatures.length : 0,
  };
}
