/**
 * ExplainInteraction: why an interaction is waiting, and why its agent got it. Every agent's
 * verdict against the interaction's requirement (skills, levels, labels, channel), state,
 * capacity, earlier rejections and preference windows, computed from the engine's own records.
 * O(agents): a query, never on the routing path.
 */
import { queueOpen } from './hours.ts';
import type { AgentSelectionPolicy, OrderingPolicy } from './options.ts';
import type { EngineParts } from './engine-parts.ts';
import { heldUntil, R_ARRIVAL, R_BAND, R_DEADLINE, R_ENTERED, R_PREF_UNTIL, R_SIZE } from './interaction-table.ts';
import { holdsOffer, isRejected, signaturesOf } from './matching.ts';
import { reserveResting } from './overload.ts';
import { bandName } from './queries.ts';
import { clauseHolds, clauseSelector } from './selectors.ts';
import type { Agent, Interaction, Offer, Profile, Signature } from './entities.ts';
import type { InteractionStatus, LabelValue, Selector } from './types.ts';

/** Why one agent is not taking a waiting interaction (every reason that applies, in this order). */
export type NotTakingReason =
  | { readonly reason: 'missing_skill'; readonly skill: string; readonly required: number }
  | { readonly reason: 'skill_level'; readonly skill: string; readonly has: number; readonly required: number }
  | { readonly reason: 'not_member'; readonly queue: string; readonly membersOnly: boolean }
  | { readonly reason: 'label'; readonly label: string; readonly wants: LabelValue; readonly has: LabelValue | null }
  | { readonly reason: 'selector'; readonly selector: Selector; readonly has: LabelValue | null }
  | { readonly reason: 'no_channel'; readonly channel: string }
  | { readonly reason: 'offline' | 'away' | 'wrap_up'; readonly detail?: string }
  | { readonly reason: 'channel_full'; readonly channel: string; readonly load: number; readonly max: number }
  | { readonly reason: 'capacity'; readonly usedUnits: number; readonly cost: number; readonly totalUnits: number }
  | { readonly reason: 'rejected_before' }
  /** It holds an open offer of it already (multi-offer: the others are offered beside it). */
  | { readonly reason: 'offered' }
  /** Scheduled work, held out of routing until `until`. */
  | { readonly reason: 'not_before'; readonly until: number }
  /** Held because its queue was closed when it came (closedAction hold): until the queue opens at `opensAt`. */
  | { readonly reason: 'queue_closed'; readonly queue: string; readonly opensAt: number }
  /** A conversation of the agent's waits for its room (messaging capacity): it is offered nothing new until then. */
  | { readonly reason: 'waiting_for_room'; readonly interactionId: string }
  /** An idle member of `queue`, which keeps `reservedIdle` of its members idle and has `idle` now. */
  | { readonly reason: 'held_for_queue'; readonly queue: string; readonly reservedIdle: number; readonly idle: number }
  /** A reserve agent of the queue, which is not in overload: it takes the queue's work only then. */
  | { readonly reason: 'reserve_inactive'; readonly queue: string }
  /** Deferrable work: not offered while these queues it waits on are in overload. */
  | { readonly reason: 'deferred_while'; readonly queues: readonly string[] }
  | { readonly reason: 'reserved_for_preferred'; readonly until: number }
  | { readonly reason: 'required_agents'; readonly until: number | null }
  | {
      readonly reason: 'lower_queue_level';
      readonly level: number;
      readonly better: { readonly interactionId: string; readonly queue: string; readonly level: number };
    };

export interface AgentVerdict {
  readonly agentId: string;
  /** Meets the membership, skill, label and channel requirements (of one alternative), or is required by name. */
  readonly eligible: boolean;
  /** With alternatives: the one the agent meets, or else the one it misses by the fewest reasons (0-based). */
  readonly alternative?: number;
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

export interface RequiredView {
  readonly skills: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, LabelValue>>;
  readonly selectors: readonly Selector[];
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
  /** Skill minima; exact-match labels (`eq` selectors, the shorthand); every other selector (of the first alternative). */
  readonly required: RequiredView;
  /** Every alternative's effective requirement, when it has more than one. */
  readonly alternatives?: readonly RequiredView[];
  /** Agents reserved by a preference window, or required by name, and its end (null: for ever). */
  readonly preferredAgents: readonly string[];
  readonly preferredUntil: number | null;
  /** `preferredAgents` are required: nobody else may take it until `preferredUntil`. */
  readonly requiredAgents: boolean;
  readonly counts: {
    readonly agents: number;
    readonly eligible: number;
    /** Times each reason applies over all agents (an agent counts under several, and twice under a reason it has twice). */
    readonly byReason: Readonly<Record<string, number>>;
  };
  /** Per agent, eligible ones first, at most `limit`. */
  readonly agents: readonly AgentVerdict[];
  readonly truncated: boolean;
  /** For an offered or assigned interaction: how its agent was chosen (offered: its first open offer). */
  readonly choice: ChoiceExplanation | null;
  /** Multi-offer: how the agents of its other open offers were chosen (empty: none). */
  readonly otherChoices: readonly ChoiceExplanation[];
}

export function explain(e: EngineParts, interactionId: string, limit: number, now: number): Explanation | null {
  const ix = e.ixs.byId.get(interactionId);
  if (!ix) return null;
  const rec = e.ixs.rec;
  const sig = ix.sig;
  const chName = e.index.channelNames[ix.ch];
  const prefUntil = rec[ix.slot * R_SIZE + R_PREF_UNTIL];
  const preferred = ix.preferred ?? [];
  const byReason: Record<string, number> = {};
  const eligibleRows: AgentVerdict[] = [];
  const otherRows: AgentVerdict[] = [];
  let eligibleCount = 0;
  const sigs = signaturesOf(ix);
  const byName = ix.required ? preferred : [];
  const held = holdReason(ix, now);
  const deferredOn = ix.queue.deferred ? ix.queue.deferrable!.whileHealthy.filter((id) => e.queues.get(id)?.overloaded === true) : null;
  for (const a of e.agents.byId.values()) {
    const p = a.profile;
    // A required agent needs no requirement; otherwise the alternative it meets, or the one it
    // misses by the fewest reasons.
    let alternative = 0;
    let reasons: NotTakingReason[] = [];
    if (!byName.includes(a)) {
      for (let k = 0; k < sigs.length; k++) {
        const r = requirementReasons(p, sigs[k]);
        if (k === 0 || r.length < reasons.length) {
          reasons = r;
          alternative = k;
        }
        if (r.length === 0) break;
      }
    }
    const pc = p.byCh[ix.ch];
    if (!pc) reasons.push({ reason: 'no_channel', channel: chName });
    const eligible = reasons.length === 0;
    if (eligible) eligibleCount++;
    if (a.state !== 'available') reasons.push(a.reason !== undefined ? { reason: a.state, detail: a.reason } : { reason: a.state });
    const holdsThis = holdsOffer(ix, a) || ix.agent === a;
    if (pc && !holdsThis) {
      if (a.load[pc.ch] >= pc.max) reasons.push({ reason: 'channel_full', channel: chName, load: a.load[pc.ch], max: pc.max });
      const used = pc.interruptible ? a.units : a.nonInterruptibleUnits;
      if (used + pc.cost > p.total) reasons.push({ reason: 'capacity', usedUnits: used, cost: pc.cost, totalUnits: p.total });
    }
    if (a.waitingForRoom !== null && ix.agent !== a) reasons.push({ reason: 'waiting_for_room', interactionId: a.waitingForRoom[0].id });
    if (isRejected(ix, a)) reasons.push({ reason: 'rejected_before' });
    if (holdsOffer(ix, a)) reasons.push({ reason: 'offered' });
    if (held !== null) reasons.push(held);
    if (deferredOn !== null) reasons.push({ reason: 'deferred_while', queues: deferredOn });
    if (!preferred.includes(a) && reserveResting(p, ix.queue)) reasons.push({ reason: 'reserve_inactive', queue: ix.queue.id });
    // Trunk reservation holds idle members back, except from work that names them.
    const holder = preferred.includes(a) ? null : e.reservation.holder(a, ix.queue);
    if (holder !== null) reasons.push({ reason: 'held_for_queue', queue: holder.id, reservedIdle: holder.reservedIdle, idle: holder.idleMembers.size });
    // Work that names the agent (a window or a requirement) is served before its levels.
    if (eligible && p.levelled && ix.status === 'queued' && !preferred.includes(a)) {
      const better = betterLevelWork(e, a, ix, now);
      if (better) reasons.push(better);
    }
    if (ix.preferred !== null && !preferred.includes(a))
      reasons.push(
        ix.required
          ? { reason: 'required_agents', until: prefUntil === Number.POSITIVE_INFINITY ? null : prefUntil }
          : { reason: 'reserved_for_preferred', until: prefUntil },
      );
    for (const r of reasons) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    const row: AgentVerdict = sigs.length > 1 ? { agentId: a.id, eligible, alternative, reasons } : { agentId: a.id, eligible, reasons };
    if (eligible) {
      if (eligibleRows.length < limit) eligibleRows.push(row);
    } else if (otherRows.length < limit) otherRows.push(row);
  }
  const agents = eligibleRows.concat(otherRows).slice(0, limit);
  const chosen = (o: Offer): ChoiceExplanation => {
    let proficiency = 0;
    const met = sigs.find((g) => g.profileIds.has(o.pc.profile.id)) ?? sig;
    for (const [skill] of met.skills) proficiency += o.pc.profile.levels.get(skill) ?? 0;
    const { idleSince, occupancy } = e.selection.decode(o.agentKey);
    return {
      agentId: o.agent.id,
      offerId: o.id,
      offeredAt: o.offeredAt,
      agentSelection: e.selection.policy,
      idleSince,
      occupancy,
      proficiency,
      preferred: o.preferred,
    };
  };
  const choice = ix.offer === null ? null : chosen(ix.offer);
  const otherChoices = ix.open === null ? [] : ix.open.map(chosen);
  const agentCount = e.agents.byId.size;
  return {
    interactionId: ix.id,
    status: ix.status,
    queueId: ix.queue.id,
    channel: ix.channel,
    ordering: e.options.ordering,
    band: bandName(rec[ix.slot * R_SIZE + R_BAND]),
    priority: ix.priority,
    arrival: rec[ix.slot * R_SIZE + R_ARRIVAL],
    deadline: rec[ix.slot * R_SIZE + R_DEADLINE],
    required: requiredView(sig),
    ...(sigs.length > 1 ? { alternatives: sigs.map(requiredView) } : {}),
    preferredAgents: preferred.map((a) => a.id),
    preferredUntil: ix.preferred !== null && prefUntil !== Number.POSITIVE_INFINITY ? prefUntil : null,
    requiredAgents: ix.required,
    counts: { agents: agentCount, eligible: eligibleCount, byReason },
    agents,
    truncated: agentCount > agents.length,
    choice,
    otherChoices,
  };
}

function requiredView(sig: Signature): RequiredView {
  return {
    skills: Object.fromEntries(sig.skills),
    labels: Object.fromEntries(sig.selectors.filter((c) => c.op === 'eq').map((c) => [c.key, c.value!])),
    selectors: sig.selectors.filter((c) => c.op !== 'eq').map(clauseSelector),
  };
}

/** Why the agents of profile `p` do not meet signature σ: membership, skills, labels, selectors. */
function requirementReasons(p: Profile, sig: Signature): NotTakingReason[] {
  const reasons: NotTakingReason[] = [];
  const q = sig.queue;
  if (p.queues.size > 0 ? !p.queues.has(q.id) : q.membersOnly) reasons.push({ reason: 'not_member', queue: q.id, membersOnly: q.membersOnly });
  for (const [skill, min] of sig.skills) {
    const has = p.levels.get(skill);
    if (has === undefined) reasons.push({ reason: 'missing_skill', skill, required: min });
    else if (has < min) reasons.push({ reason: 'skill_level', skill, has, required: min });
  }
  for (const c of sig.selectors) {
    const has = p.labels.get(c.key);
    if (clauseHolds(c, has)) continue;
    if (c.op === 'eq') reasons.push({ reason: 'label', label: c.key, wants: c.value!, has: has ?? null });
    else reasons.push({ reason: 'selector', selector: clauseSelector(c), has: has ?? null });
  }
  return reasons;
}

/**
 * The agent's level in `ix`'s queue, when work of a better level for it waits (at the head of a
 * signature it may take, not declined): its routing profile serves that first, now or once it
 * has room. Null when `ix` is at the best level it has waiting. O(the profile's signatures).
 */
function betterLevelWork(e: EngineParts, a: Agent, ix: Interaction, now: number): NotTakingReason | null {
  const p = a.profile;
  const rec = e.ixs.rec;
  const levelOf = (level: number, delay: number, slot: number) =>
    level > p.bestLevel && delay > 0 && now - rec[slot * R_SIZE + R_ENTERED] >= delay ? p.bestLevel : level;
  const m = p.queues.get(ix.queue.id);
  const mine = m === undefined ? 1 : levelOf(m.level, m.delayMs, ix.slot);
  let bestSlot = -1;
  let bestLevel = mine;
  for (const pc of p.chans) {
    for (let i = 0; i < pc.sigs.length; i++) {
      const h = pc.sigs[i].hSlot;
      if (h < 0 || h === ix.slot || isRejected(e.ixs.bySlot[h]!, a)) continue;
      const level = levelOf(pc.levels[i], pc.delays[i], h);
      if (level < bestLevel) {
        bestSlot = h;
        bestLevel = level;
      }
    }
  }
  if (bestSlot < 0) return null;
  const other = e.ixs.bySlot[bestSlot]!;
  return { reason: 'lower_queue_level', level: mine, better: { interactionId: other.id, queue: other.queue.id, level: bestLevel } };
}

/** Why held work is held: its queue's hours (held until the queue opens, and it is closed now) or its own notBefore. */
function holdReason(ix: Interaction, now: number): NotTakingReason | null {
  const until = heldUntil(ix);
  if (until === 0) return null;
  const q = ix.queue;
  if (q.hours !== null && !queueOpen(q, now) && q.hoursUntil === until) return { reason: 'queue_closed', queue: q.id, opensAt: until };
  return { reason: 'not_before', until };
}
