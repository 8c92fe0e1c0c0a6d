/**
 * Settling: after every command or timer, restores I4 (no available agent eligible for waiting
 * work it has not declined). A single freed agent or a single new interaction takes a fast path;
 * anything larger (a shift logging in, a reject that frees an agent and requeues an interaction)
 * is matched as one batch in global priority order, with one-step augmenting moves so that a
 * higher-priority pick never strands work another free agent could have taken (docs/routing.md
 * §8). While any profile has queue levels, a batch is matched agent by agent instead (each
 * agent's routing profile decides its own work). The offers themselves are made by the engine
 * (the host).
 */
import { IndexedHeap, PositionIndex } from '../queues/indexed-heap.ts';
import type { AgentTable } from './agent-table.ts';
import { canTake } from './capacity.ts';
import type { Agent, Interaction, Offer, ProfileChannel, Signature } from './entities.ts';
import type { InteractionTable } from './interaction-table.ts';
import { type Matcher, anyAvailable, eligibleProfile, excluded, signaturesOf, wantsOffer } from './matching.ts';
import type { Ordering } from './ordering.ts';
import { reserveResting } from './overload.ts';
import type { Preferences } from './preferences.ts';
import type { Reservation } from './reservation.ts';
import type { RoutingIndex } from './routing-index.ts';
import type { EngineEvent } from './types.ts';
import type { Waiting } from './waiting.ts';

/** What settling asks of the engine: offers, and the current call's events and clock. */
export interface SettlingHost {
  makeOffer(ix: Interaction, a: Agent, pc: ProfileChannel): Offer;
  /** Moves an open offer's capacity onto agent `a` (batch re-homing). */
  attach(o: Offer, a: Agent): void;
  detach(o: Offer): void;
  /** Puts the interaction back in its signature heaps if some agent may still be offered it. */
  refile(ix: Interaction): void;
  emit(e: EngineEvent): void;
  /** The events of the current call, in order (a re-homed offer's first event is replaced in place). */
  readonly events: EngineEvent[];
}

export class Settling {
  /** Agents and interactions to match before the call returns. */
  pendingAgents: Agent[] = [];
  pendingIxs: Interaction[] = [];
  /** The clock of the settle() running (it does not move inside one). */
  private now = 0;
  /** Spare buffers swapped with the pending lists in settle(), so settling allocates nothing. */
  private spareAgents: Agent[] = [];
  private spareIxs: Interaction[] = [];
  /** Heads set aside during a batch's merge (declined or held by every free eligible agent). */
  private readonly aside: Interaction[] = [];

  /** Batch matching's merge of signature heads, by signature id; empty between batches. */
  private readonly mergeHeap = new IndexedHeap(new PositionIndex(64), (a, b) => {
    const x = this.index.signatureList[a]!;
    const y = this.index.signatureList[b]!;
    return this.ordering.better(x.hBand, x.hKey, x.hSeq, x.queue, y.hBand, y.hKey, y.hSeq, y.queue, this.now);
  });

  constructor(
    private readonly ixs: InteractionTable,
    private readonly agents: AgentTable,
    private readonly index: RoutingIndex,
    private readonly ordering: Ordering,
    private readonly matcher: Matcher,
    private readonly prefs: Preferences,
    private readonly reservation: Reservation,
    private readonly waiting: Waiting,
    private readonly host: SettlingHost,
  ) {}

  /** Inside a call (a snapshot must not be taken now). */
  busy(): boolean {
    return this.mergeHeap.size !== 0 || this.pendingAgents.length > 0 || this.pendingIxs.length > 0;
  }

  /** Restores I4 after a step: fast paths for one agent or one interaction, else a batch. */
  settle(now: number): void {
    this.now = now;
    while (this.pendingAgents.length > 0 || this.pendingIxs.length > 0) {
      const agents = this.pendingAgents;
      const ixs = this.pendingIxs;
      this.pendingAgents = this.spareAgents;
      this.pendingIxs = this.spareIxs;
      if (ixs.length === 0 && agents.length === 1) this.agentPath(agents[0]);
      else if (agents.length === 0 && ixs.length === 1) this.interactionPath(ixs[0]);
      else this.batch(agents, ixs);
      empty(agents);
      empty(ixs);
      this.spareAgents = agents;
      this.spareIxs = ixs;
    }
  }

  /**
   * A new or returned interaction: the best available eligible agent takes it, if any (on a
   * multi-offer queue, the best ones, until as many hold it as the queue's fanout).
   */
  private interactionPath(ix: Interaction): void {
    if (!this.ixs.alive(ix)) return;
    while (wantsOffer(ix)) {
      if (ix.preferred !== null) {
        const pick = this.prefs.agentFor(ix, this.now);
        if (pick === null) return;
        this.host.makeOffer(ix, pick.agent, pick.pc);
        continue;
      }
      if (!anyAvailable(ix)) return;
      const pick = this.matcher.bestAgentFor(ix, null);
      if (pick === null) return;
      if (!pick.agent.profile.levelled) {
        this.host.makeOffer(ix, pick.agent, pick.pc);
        continue;
      }
      // An agent with queue levels chooses among everything it may take, by level: when other
      // work of a better level for it waits too (a batch), that comes first, and `ix` is
      // looked at again with the agent's room reduced (each turn makes at least one offer).
      const held = pick.agent.offers.length + pick.agent.assigned.length;
      this.agentPath(pick.agent);
      if (pick.agent.offers.length + pick.agent.assigned.length === held) return; // never expected: no loop without progress
    }
  }

  /**
   * A batch when some agents have queue levels: each pending agent, longest-waiting by the
   * selection policy first, fills its capacity by its own levels, then each pending interaction
   * finds an agent (interactionPath lets a levelled agent choose). The global merge below would
   * hand an agent the globally best head even where its routing profile ranks another first.
   */
  private levelledBatch(agents: Agent[], ixs: Interaction[]): void {
    const less = this.agents.less;
    agents.sort((x, y) => (less(x.slot, y.slot) ? -1 : less(y.slot, x.slot) ? 1 : 0));
    for (const a of agents) this.agentPath(a);
    this.inOrder(ixs);
    for (const ix of ixs) this.interactionPath(ix);
  }

  /**
   * Pending interactions in global priority order, not in the order they became routable: an
   * agent without levels takes them as they come (ended ones, which find nothing, last).
   */
  private inOrder(ixs: Interaction[]): void {
    if (ixs.length < 2) return;
    const now = this.now;
    const better = (x: Interaction, y: Interaction) => this.ordering.headBetter(x.slot, x.sig, y.slot, y.sig, now);
    ixs.sort((x, y) => {
      const ax = this.ixs.alive(x);
      const ay = this.ixs.alive(y);
      if (!ax || !ay) return ax === ay ? 0 : ax ? -1 : 1;
      return better(x, y) ? -1 : better(y, x) ? 1 : 0;
    });
  }

  /** A freed agent: fills its capacity with the best heads among its eligible signatures. */
  private agentPath(a: Agent): void {
    for (;;) {
      if (a.state !== 'available' || this.agents.bySlot[a.slot] !== a) return;
      if (a.preferred !== null && this.servePreferred(a)) continue;
      const pick = this.matcher.bestHeadFor(a, this.now);
      if (pick === null) return;
      this.host.makeOffer(pick.ix, a, pick.pc);
    }
  }

  private servePreferred(a: Agent): boolean {
    const pick = this.prefs.firstFor(a, this.now);
    if (pick !== null) this.host.makeOffer(pick.ix, a, pick.pc);
    return pick !== null;
  }

  /**
   * Batch matching (a shift logs in, a reject frees an agent and requeues work; timers settle
   * one at a time, so wrap-ups ending together take the single-agent path). Candidate signatures are merged in global priority order; each head takes
   * the best available agent by policy. When a head finds every eligible agent already taken in
   * this batch, a one-step augmenting move re-homes an earlier pick onto another free agent, so
   * the batch serves as many interactions as it can without demoting any earlier (better) one.
   * A head that finds no agent only because the free ones declined or already hold it (a
   * multi-offer) is set aside for the rest of the merge, so that the work behind it in the same
   * signature still comes before other signatures' lower work. Leftover capacity is then filled
   * agent by agent.
   */
  private batch(agents: Agent[], ixs: Interaction[]): void {
    for (const a of agents) if (a.state === 'available' && a.preferred !== null) while (a.preferred !== null && this.servePreferred(a));
    if (this.index.levelledProfiles > 0) {
      this.levelledBatch(agents, ixs);
      return;
    }
    for (const ix of ixs) if (ix.preferred !== null) this.interactionPath(ix);

    const cand = new Set<Signature>();
    for (const a of agents) {
      if (a.state !== 'available') continue;
      for (const pc of a.profile.chans) if (canTake(a, pc)) for (const s of pc.sigs) if (s.heap.size > 0) cand.add(s);
    }
    for (const ix of ixs) {
      if (!wantsOffer(ix) || ix.preferred !== null) continue;
      if (ix.sig.avail > 0) cand.add(ix.sig);
      if (ix.alts !== null) for (const s of ix.alts) if (s.avail > 0) cand.add(s);
    }

    // Signatures merged in global head order: an indexed heap over signature ids.
    const merge = this.mergeHeap;
    for (const s of cand) merge.push(s.id);

    const picks: Offer[] = [];
    const eventAt = new Map<Offer, number>();
    const aside = this.aside;
    while (merge.size > 0) {
      const sig = this.index.signatureList[merge.pop()]!;
      if (sig.heap.size === 0) continue;
      const ix = this.ixs.bySlot[sig.heap.peek()]!;
      const some = anyAvailable(ix);
      const pick = some ? this.matcher.bestAgentFor(ix, null) : null;
      if (pick === null) {
        if (!this.augment(ix, picks, eventAt)) {
          // Kept from the free agents only by its decliners or holders: the next one may suit them.
          // Else σ drops out; leftovers handled below.
          if (!some || !sig.hRejected || aside.length >= ASIDE_LIMIT) continue;
          this.waiting.pull(ix);
          aside.push(ix);
          if (ix.alts !== null) for (const s of signaturesOf(ix)) if (s !== sig && merge.has(s.id)) merge.update(s.id);
        }
      } else {
        const at = this.host.events.length;
        const o = this.host.makeOffer(ix, pick.agent, pick.pc);
        if (o.expiresAt !== null) {
          picks.push(o);
          eventAt.set(o, at);
        }
        // It left the heaps of its other alternatives too: their heads moved.
        if (ix.alts !== null) for (const s of signaturesOf(ix)) if (s !== sig && merge.has(s.id)) merge.update(s.id);
      }
      if (sig.heap.size > 0) merge.push(sig.id);
    }
    if (eventAt.size > 0) dropTombstones(this.host.events);
    for (const ix of aside) this.host.refile(ix);
    empty(aside);
    for (const a of agents) this.agentPath(a);
    // Leftovers (a multi-offer head that finds no further agent drops its signature out of the merge).
    this.inOrder(ixs);
    for (const ix of ixs) this.interactionPath(ix);
  }

  /**
   * One-step augmenting move for `ix`, whose eligible agents are all taken: find an earlier pick
   * (Y on agent A) with A eligible for `ix` and another free agent B for Y; move Y to B (patching
   * its offer event, which has not left the engine yet) and offer `ix` to A.
   */
  private augment(ix: Interaction, picks: Offer[], eventAt: Map<Offer, number>): boolean {
    if (ix.queue.deferred) return false;
    const limit = Math.min(picks.length, 4096);
    for (let i = 0; i < limit; i++) {
      const y = picks[i];
      // Only a sole open offer is moved (a multi-offer's others stay where they are).
      if (y.ix.status !== 'offered' || y.ix.offer !== y || y.ix.open !== null) continue;
      const A = y.agent;
      // A member of a reserving queue may have taken its other work in this batch only because y
      // kept it from being idle: moving y away would leave that work where the queue held it back.
      if (A.offers.length + A.assigned.length > 1 && this.reservation.member(A)) continue;
      if (!eligibleProfile(ix, A.profile) || excluded(ix, A) || A.state !== 'available' || reserveResting(A.profile, ix.queue)) continue;
      if (!anyAvailable(y.ix)) continue;
      const alt = this.matcher.bestAgentFor(y.ix, A);
      if (alt === null) continue;
      const pcA = A.profile.byCh[ix.ch]!;
      this.host.detach(y);
      // Freed of y, A may be an idle member its queue holds back from `ix`'s queue, counting the
      // other agent as busy with y (it may be one of the queue's idle members).
      if (!canTake(A, pcA) || this.reservation.blocked(A, ix.queue, alt.agent)) {
        this.host.attach(y, A);
        continue;
      }
      y.pc = alt.pc;
      y.agentKey = this.agents.key[alt.agent.slot];
      this.host.attach(y, alt.agent);
      // The move is reported in the order it happened: the earlier offer event (not yet out of
      // the engine) is dropped and re-emitted now, so event order replays capacity correctly.
      const e = eventAt.get(y)!;
      const old = this.host.events[e] as Extract<EngineEvent, { type: 'InteractionOffered' }>;
      this.host.events[e] = TOMBSTONE;
      eventAt.set(y, this.host.events.length);
      this.host.emit({ ...old, agentId: alt.agent.id });
      const at = this.host.events.length;
      const o = this.host.makeOffer(ix, A, pcA);
      if (o.expiresAt !== null) {
        picks.push(o);
        eventAt.set(o, at);
      }
      // It left the heaps of its other alternatives too: their heads moved.
      if (ix.alts !== null) for (const s of ix.alts) if (this.mergeHeap.has(s.id)) this.mergeHeap.update(s.id);
      return true;
    }
    return false;
  }
}

/** At most this many heads are set aside in one batch; past it a blocked head drops its signature out of the merge. */
const ASIDE_LIMIT = 4096;

/** Placeholder for an offer event superseded within the same batch; dropped before the call returns. */
const TOMBSTONE = { type: 'InteractionUpdated', at: 0, interactionId: '' } as EngineEvent;

/** Removes the placeholders in place, keeping the order. */
function dropTombstones(events: EngineEvent[]): void {
  let w = 0;
  for (let r = 0; r < events.length; r++) if (events[r] !== TOMBSTONE) events[w++] = events[r];
  while (events.length > w) events.pop();
}

function empty<T>(list: T[]): void {
  while (list.length > 0) list.pop();
}
