/**
 * The offer lifecycle: making an offer (one, or several at once on a multi-offer queue), holding
 * its capacity on the agent, assignment by the first accept, and the ways an open offer ends
 * (declined, run out, withdrawn). An offer's number carries its interaction's slot, so an answer
 * finds it without a table; closed offers are remembered in a ring for late answers. What
 * follows an offer that ends (max wait, the preference window, matching again) is the engine's.
 */
import type { BoundedMap } from '../queues/bounded-map.ts';
import type { LinkedLists } from '../queues/linked-list.ts';
import { removeInOrder } from '../queues/array-removal.ts';
import type { AgentSelection } from './agent-selection.ts';
import type { AgentTable } from './agent-table.ts';
import { addLoad, refreshAgent } from './capacity.ts';
import { closedMsBetween } from './hours.ts';
import { type ClosedOffers, offerNumber, type OfferOutcome } from './closed-offers.ts';
import { REPEATED, RejectCode, type Rejection } from './codes.ts';
import type { Deadlines } from './deadlines.ts';
import type { Agent, Interaction, Offer, ProfileChannel } from './entities.ts';
import { OFFER_SLOT_SPAN, R_ARRIVAL, R_ASSIGNED, R_DECLINED, R_ENTERED, R_MAX_WAIT, R_OFFER_AT, R_SIZE, type InteractionTable } from './interaction-table.ts';
import { openOffer, wantsOffer } from './matching.ts';
import type { EngineLimits } from './options.ts';
import type { Preferences } from './preferences.ts';
import type { Reservation } from './reservation.ts';
import type { RoutingIndex } from './routing-index.ts';
import type { EngineEvent, OfferEndReason } from './types.ts';
import { checkId, reject } from './validate.ts';
import type { Waiting } from './waiting.ts';

/** What the offers ask of the engine: its events, and what follows an offer. */
export interface OffersHost {
  emit(e: EngineEvent): void;
  /** Ends the interaction's preference window or requirement by name. */
  endPreference(ix: Interaction, emitEvent: boolean, requeue: boolean): void;
  /** Its last offer ended after its max wait in queue passed. */
  maxWaitReached(ix: Interaction): void;
  /** Matches the agent, or the interaction, again before the call returns. */
  pendingAgent(a: Agent): void;
  pendingIx(ix: Interaction): void;
  /** Its queue's waitMs exception rules due now, once it waits queued again; true when one moved or ended it. */
  waitExceptions(ix: Interaction): boolean;
  /** The agent was re-filed (its load may have gone down): a conversation of its waiting for room may fit. */
  touched(a: Agent): void;
}

export class Offers {
  /** The engine's clock, set by the engine whenever it moves (a field: read on every offer). */
  now = 0;

  constructor(
    private readonly ixs: InteractionTable,
    private readonly agents: AgentTable,
    private readonly index: RoutingIndex,
    private readonly selection: AgentSelection,
    private readonly lists: LinkedLists,
    private readonly deadlines: Deadlines,
    private readonly closed: ClosedOffers,
    private readonly waiting: Waiting,
    private readonly prefs: Preferences,
    private readonly reservation: Reservation,
    private readonly lastAgent: BoundedMap<string, string>,
    private readonly limits: EngineLimits,
    private readonly host: OffersHost,
  ) {}

  /** Re-files the agent in its heaps after a state, load or key change; its idle flag follows. */
  refresh(a: Agent): void {
    if (a.waitingForRoom !== null) this.host.touched(a);
    refreshAgent(a);
    this.reservation.update(a);
  }

  makeOffer(ix: Interaction, a: Agent, pc: ProfileChannel): Offer {
    const preferred = ix.preferred !== null;
    // An offer ends a preference window; a requirement by name lasts until assignment.
    if (ix.preferred !== null && !ix.required) this.host.endPreference(ix, false, false);
    this.waiting.pull(ix);
    const q = ix.queue;
    // The number carries the interaction's slot (low part), so an accept finds its offer
    // without a table: ids stay unique because the sequence (high part) never repeats.
    const number = ++this.ixs.offerSeq * OFFER_SLOT_SPAN + ix.slot;
    const offer: Offer = {
      id: `o${number}`,
      number,
      ix,
      agent: a,
      pc,
      expiresAt: pc.autoAccept ? null : this.now + q.offerTimeoutMs,
      offeredAt: this.now,
      agentKey: this.agents.key[a.slot],
      preferred,
    };
    const first = ix.status === 'queued';
    if (first) {
      ix.status = 'offered';
      ix.offer = offer;
      q.offered++;
    } else (ix.open ??= []).push(offer); // multi-offer: one more agent holds it
    this.attach(offer, a);
    this.host.emit({ type: 'InteractionOffered', at: this.now, interactionId: ix.id, agentId: a.id, offerId: offer.id, expiresAt: offer.expiresAt, seq: 0 });
    if (pc.autoAccept) this.assign(offer);
    else {
      this.ixs.openOffers++;
      if (first) {
        this.ixs.rec[ix.slot * R_SIZE + R_OFFER_AT] = offer.expiresAt!;
        this.deadlines.armOffer(ix.slot);
      } else this.armOffers(ix);
      // Multi-offer: while fewer agents hold it than the fanout, it stays where others find it,
      // and an agent free now (not only the one freed) may be offered it too.
      if (q.offerFanout > 1) {
        this.refile(ix);
        if (wantsOffer(ix)) this.host.pendingIx(ix);
      }
    }
    return offer;
  }

  /**
   * Puts the interaction in its signature heaps when some agent may still be offered it and no
   * preference window holds it (queued, or offered to fewer agents than its queue's fanout), or
   * takes it out. Offered, it is marked so that a holder of its offer passes it by.
   */
  refile(ix: Interaction): void {
    const want = ix.preferred === null && wantsOffer(ix);
    const has = this.waiting.has(ix);
    if (want && !has) {
      if (ix.status === 'offered') this.ixs.rec[ix.slot * R_SIZE + R_DECLINED] = 1;
      this.waiting.push(ix);
    } else if (!want && has) this.waiting.pull(ix);
  }

  /** Multi-offer: the interaction's offer timer at its earliest open offer's expiry. */
  private armOffers(ix: Interaction): void {
    let at = ix.offer!.expiresAt ?? Number.POSITIVE_INFINITY;
    if (ix.open !== null) for (const o of ix.open) if (o.expiresAt !== null && o.expiresAt < at) at = o.expiresAt;
    this.ixs.rec[ix.slot * R_SIZE + R_OFFER_AT] = at;
    this.deadlines.rearmOffer(ix.slot);
  }

  /** Withdraws every open offer of the interaction (its caller moves or ends it). */
  closeOffers(ix: Interaction, reason: OfferEndReason): void {
    while (ix.status === 'offered') this.closeOffer(ix.offer!, 'rescinded', reason, false);
  }

  attach(offer: Offer, a: Agent): void {
    offer.agent = a;
    a.offers.push(offer);
    addLoad(a, offer.pc, 1);
    // An offer (and the assignment it becomes) holds its profile channel: not collected meanwhile.
    this.index.member(offer.pc.profile, 1);
    a.idleSince = this.now;
    a.lastOfferAt = this.now;
    this.selection.setKey(a);
    this.refresh(a);
  }

  detach(offer: Offer): void {
    const a = offer.agent;
    removeInOrder(a.offers, offer);
    addLoad(a, offer.pc, -1);
    this.index.member(offer.pc.profile, -1);
    this.selection.setKey(a);
    this.refresh(a);
  }

  private assign(offer: Offer): void {
    const ix = offer.ix;
    // Multi-offer: the first accept takes it; the other holders' offers are withdrawn first.
    if (ix.open !== null) for (const o of [ix.offer!, ...ix.open]) if (o !== offer) this.closeOffer(o, 'rescinded', 'taken', false);
    // Offered work is in its heaps only on a multi-offer queue (refile keeps it so).
    if (ix.queue.offerFanout > 1) this.waiting.pull(ix);
    const a = offer.agent;
    const q = ix.queue;
    removeInOrder(a.offers, offer);
    a.assigned.push(ix);
    if (ix.preferred !== null) this.host.endPreference(ix, false, false); // a requirement by name is met
    if (offer.expiresAt !== null) this.ixs.openOffers--;
    this.deadlines.offerTimers.remove(ix.slot);
    this.recordClosed(offer, a, 'accepted');
    q.offered--;
    this.lists.remove(q.waiting, ix.slot);
    ix.status = 'assigned';
    ix.agent = a;
    const rec = this.ixs.rec;
    rec[ix.slot * R_SIZE + R_ASSIGNED] = this.now;
    this.deadlines.ixTimers.remove(ix.slot);
    q.counters.answered++;
    const entered = rec[ix.slot * R_SIZE + R_ENTERED];
    const queueWaitMs = this.now - entered;
    // A queue whose hours pause its service level leaves the time it was closed out.
    const countedMs = q.hours !== null && q.hours.pauseServiceLevel === true ? queueWaitMs - closedMsBetween(q.hours, entered, this.now) : queueWaitMs;
    const withinObjective = countedMs <= q.objective.thresholdMs;
    if (withinObjective) q.counters.answeredWithinThreshold++;
    if (ix.customerId !== undefined) this.lastAgent.set(ix.customerId, a.id, this.now);
    this.host.emit({
      type: 'InteractionAssigned',
      at: this.now,
      interactionId: ix.id,
      agentId: a.id,
      offerId: offer.id,
      queueId: q.id,
      waitMs: this.now - rec[ix.slot * R_SIZE + R_ARRIVAL],
      queueWaitMs,
      withinObjective,
      seq: 0,
    });
  }

  private recordClosed(o: Offer, a: Agent, outcome: OfferOutcome): void {
    this.closed.record(o.number, a.id, outcome);
  }

  private findOffer(agentId: string, offerId: string): Offer | Rejection {
    const L = this.limits;
    const bad = checkId(agentId, 'agent id', L) ?? checkId(offerId, 'offer id', L);
    if (bad) return bad;
    const a = this.agents.byId.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    const n = offerNumber(offerId);
    const holder = n < 0 ? undefined : this.ixs.bySlot[n % OFFER_SLOT_SPAN];
    const o = holder !== undefined && holder.status === 'offered' ? openOffer(holder, n) : undefined;
    if (!o) {
      const closed = this.closed.lookup(offerId);
      if (closed && closed.agentId === agentId) return reject(RejectCode.OFFER_CLOSED, `offer '${offerId}' is closed (${closed.outcome})`);
      if (closed) return reject(RejectCode.OFFER_NOT_YOURS, `offer '${offerId}' was not made to agent '${agentId}'`);
      return reject(RejectCode.UNKNOWN_OFFER, `offer '${offerId}' is not known`);
    }
    if (o.agent !== a) return reject(RejectCode.OFFER_NOT_YOURS, `offer '${offerId}' was not made to agent '${agentId}'`);
    return o;
  }

  accept(agentId: string, offerId: string): Rejection | typeof REPEATED | null {
    const o = this.findOffer(agentId, offerId);
    if ('code' in o) return this.repeated(o, offerId, 'accepted');
    this.assign(o);
    return null;
  }

  rejectOffer(agentId: string, offerId: string): Rejection | typeof REPEATED | null {
    const o = this.findOffer(agentId, offerId);
    if ('code' in o) return this.repeated(o, offerId, 'rejected');
    this.closeOffer(o, 'rejected');
    return null;
  }

  /** An answer to an offer this agent already gave (OFFER_CLOSED by that outcome) is a retry. */
  private repeated(refused: Rejection, offerId: string, outcome: OfferOutcome): Rejection | typeof REPEATED {
    return refused.code === RejectCode.OFFER_CLOSED && this.closed.lookup(offerId)?.outcome === outcome ? REPEATED : refused;
  }

  /**
   * Ends an open offer without assignment. The agent's capacity is released; unless the caller
   * is about to move or finish the interaction (`requeue` false), it goes back to its signature
   * heap at its original key. A rejecting agent is never offered it again.
   */
  closeOffer(o: Offer, outcome: 'rejected' | 'timed_out' | 'rescinded', reason?: OfferEndReason, requeue = true): void {
    const ix = o.ix;
    const a = o.agent;
    this.ixs.openOffers--;
    this.recordClosed(o, a, outcome);
    this.detach(o);
    // Multi-offer: while other agents hold it, it stays offered.
    const last = ix.open === null;
    if (last) {
      this.waiting.pull(ix); // a multi-offer's last: it may be in its heaps, as offered
      this.deadlines.offerTimers.remove(ix.slot);
      ix.offer = null;
      ix.queue.offered--;
      ix.status = 'queued';
    } else {
      if (ix.offer === o) ix.offer = ix.open!.shift()!;
      else removeInOrder(ix.open!, o);
      if (ix.open!.length === 0) ix.open = null;
      this.armOffers(ix);
    }
    if (outcome === 'rejected') {
      (ix.rejectedBy ??= new Set()).add(a);
      this.ixs.rec[ix.slot * R_SIZE + R_DECLINED] = 1;
      ix.queue.counters.offersRejected++;
      this.host.emit({ type: 'OfferRejected', at: this.now, interactionId: ix.id, agentId: a.id, offerId: o.id });
      // Every agent it requires declined it: nobody is left to wait for, it routes normally.
      if (this.prefs.allDeclined(ix)) this.host.endPreference(ix, true, false);
    } else if (outcome === 'timed_out') {
      ix.queue.counters.offersTimedOut++;
      this.host.emit({ type: 'OfferTimedOut', at: this.now, interactionId: ix.id, agentId: a.id, offerId: o.id });
    } else {
      this.host.emit({ type: 'OfferRescinded', at: this.now, interactionId: ix.id, agentId: a.id, offerId: o.id, reason: reason! });
    }
    this.host.pendingAgent(a);
    if (!requeue) return;
    if (!last) {
      // The others' offers run their course; one more agent may be offered it meanwhile.
      this.refile(ix);
      this.host.pendingIx(ix);
      return;
    }
    if (this.host.waitExceptions(ix)) return;
    if (this.ixs.rec[ix.slot * R_SIZE + R_MAX_WAIT] <= this.now) {
      this.host.maxWaitReached(ix);
      return;
    }
    if (ix.preferred === null) this.waiting.push(ix);
    this.deadlines.arm(ix);
    this.host.pendingIx(ix);
  }
}
