/**
 * Matching, both directions, never a full scan (docs/routing.md §3):
 * - `bestAgentFor(ix)`: a new or returned interaction looks only at the heads of C(σ), its
 *   eligible profile channels' available-agent heaps, and takes the best by the selection key
 *   (best-skill walks them in proficiency order and stops at the first level that has one);
 * - `bestHeadFor(a)`: a freed agent compares only the cached heads of E(p, c) for the channels it
 *   has room in: by its level in their queue first (a routing profile; a head that has waited
 *   its link's delay in the queue competes at the profile's best level), then by the global
 *   ordering.
 * A decliner never gets the same interaction again, nor does an agent holding an offer of it (a
 * multi-offer queue keeps offered work in its heaps): only then does a lookup walk into a heap.
 */
import type { AgentTable } from './agent-table.ts';
import type { AgentSelection } from './agent-selection.ts';
import { canTake } from './capacity.ts';
import type { Agent, Interaction, Offer, Profile, ProfileChannel, Queue, Signature } from './entities.ts';
import { R_BAND, R_ENTERED, R_KEY, R_SEQ, R_SIZE, type InteractionTable } from './interaction-table.ts';
import type { Ordering } from './ordering.ts';
import { reserveResting } from './overload.ts';
import type { Reservation } from './reservation.ts';

/** Did agent `a` decline `ix` before? */
export function isRejected(ix: Interaction, a: Agent): boolean {
  return ix.rejectedBy?.has(a) === true;
}

/** Does agent `a` hold an open offer of `ix`? */
export function holdsOffer(ix: Interaction, a: Agent): boolean {
  if (ix.status !== 'offered') return false;
  if (ix.offer!.agent === a) return true;
  if (ix.open !== null) for (const o of ix.open) if (o.agent === a) return true;
  return false;
}

/** Is `a` never to be offered `ix` (again): it declined it, or holds an offer of it already (multi-offer)? */
export function excluded(ix: Interaction, a: Agent): boolean {
  if (ix.rejectedBy?.has(a) === true) return true;
  return ix.open !== null ? holdsOffer(ix, a) : ix.status === 'offered' && ix.offer!.agent === a;
}

/** How many open offers `ix` has. */
export function openOffers(ix: Interaction): number {
  return ix.status !== 'offered' ? 0 : ix.open === null ? 1 : 1 + ix.open.length;
}

/** The open offer of `ix` numbered `n`, if any. */
export function openOffer(ix: Interaction, n: number): Offer | undefined {
  if (ix.offer !== null && ix.offer.number === n) return ix.offer;
  if (ix.open !== null) for (const o of ix.open) if (o.number === n) return o;
  return undefined;
}

/** Is the offer still open? */
export function isOpen(o: Offer): boolean {
  return o.ix.status === 'offered' && (o.ix.offer === o || o.ix.open?.includes(o) === true);
}

/**
 * May `ix` be offered to one more agent: it is queued (and not held), or offered on a multi-offer
 * queue to fewer agents than the queue's fanout.
 */
export function wantsOffer(ix: Interaction): boolean {
  if (ix.more !== null && ix.more.heldUntil !== 0) return false; // scheduled work, held out of routing
  return ix.status === 'queued' || (ix.status === 'offered' && openOffers(ix) < ix.queue.offerFanout);
}

/** Do the agents of profile `p` meet one of `ix`'s requirements (its alternatives)? */
export function eligibleProfile(ix: Interaction, p: Profile): boolean {
  if (ix.sig.profileIds.has(p.id)) return true;
  if (ix.alts !== null) for (const sig of ix.alts) if (sig.profileIds.has(p.id)) return true;
  return false;
}

/** The interaction's signatures: the first, then its other alternatives'. */
export function signaturesOf(ix: Interaction): readonly Signature[] {
  return ix.alts === null ? [ix.sig] : [ix.sig, ...ix.alts];
}

/** Is any agent who is logged in (not offline) of a profile that may take `ix`? */
export function anyStaffed(ix: Interaction): boolean {
  for (const sig of signaturesOf(ix)) for (const pc of sig.pcs) if (pc.profile.staffed > 0) return true;
  return false;
}

/** Has any signature of `ix` an available agent? */
export function anyAvailable(ix: Interaction): boolean {
  if (ix.sig.avail > 0) return true;
  if (ix.alts !== null) for (const sig of ix.alts) if (sig.avail > 0) return true;
  return false;
}

/** May agent `a` be offered `ix` on `pc` now: room, meets the requirements, never declined it, holds no offer of it. */
export function mayTake(a: Agent, pc: ProfileChannel, ix: Interaction): boolean {
  return canTake(a, pc) && eligibleProfile(ix, a.profile) && !excluded(ix, a);
}

export class Matcher {
  /** Context for the findFirst predicates below (set just before each call; no closures per call). */
  private matchAgent: Agent | null = null;
  private matchIx: Interaction | null = null;
  private readonly notDeclinedByMatchAgent = (slot: number): boolean => !excluded(this.ixs.bySlot[slot]!, this.matchAgent!);
  /** Also skip agents held back for another queue (set per profile channel in bestAgentFor). */
  private matchHeld = false;
  private readonly agentFitsMatchIx = (slot: number): boolean => {
    const a = this.agents.bySlot[slot]!;
    return a !== this.matchAgent && !excluded(this.matchIx!, a) && !(this.matchHeld && this.reservation.blocked(a, this.matchIx!.queue));
  };

  constructor(
    private readonly ixs: InteractionTable,
    private readonly agents: AgentTable,
    private readonly ordering: Ordering,
    private readonly selection: AgentSelection,
    private readonly reservation: Reservation,
  ) {}

  /**
   * The best available agent for `ix` under the agent-selection policy, skipping decliners and
   * `exclude`, over the eligible profiles of each of its alternatives (best-skill: the highest
   * proficiency in the alternative the agent meets, then the selection key).
   */
  bestAgentFor(ix: Interaction, exclude: Agent | null): { agent: Agent; pc: ProfileChannel } | null {
    const q = ix.queue;
    // Deferrable work waits while a queue it defers to is in overload.
    if (q.deferred) return null;
    const bestSkill = this.selection.bestSkill;
    const less = this.agents.less;
    let best = -1;
    let bestPc: ProfileChannel | null = null;
    let bestProf = -1;
    // Decliners, holders of an offer of it (multi-offer) and `exclude` are skipped: the slow path.
    const plain = ix.rejectedBy === null && exclude === null && ix.status === 'queued';
    const alts = ix.alts;
    for (let k = -1; k < (alts === null ? 0 : alts.length); k++) {
      const sig = k < 0 ? ix.sig : alts![k];
      const pcs = sig.pcs;
      for (let i = 0; i < pcs.length; i++) {
        const pc = pcs[i];
        if (pc.heap.size === 0) continue;
        // A reserve agent of the queue takes its work only while it is in overload.
        if (reserveResting(pc.profile, q)) continue;
        // Proficiency orders only best-skill's choice (read only then).
        const prof = bestSkill ? sig.proficiency[i] : 0;
        if (bestSkill && bestPc !== null && prof < bestProf) break;
        let h = pc.heap.peek();
        // Trunk reservation: some idle agents of this profile may be held for another queue.
        const held = this.reservation.active > 0 && this.reservation.mayBlock(pc.profile, ix.queue);
        if (!plain || held) {
          this.matchAgent = exclude;
          this.matchIx = ix;
          this.matchHeld = held;
          if (!this.agentFitsMatchIx(h)) h = pc.heap.findFirst(this.agentFitsMatchIx);
          if (h < 0) continue;
        }
        if (best < 0 || (bestSkill && prof > bestProf) || ((!bestSkill || prof === bestProf) && less(h, best))) {
          best = h;
          bestPc = pc;
          bestProf = prof;
        }
      }
    }
    return bestPc === null ? null : { agent: this.agents.bySlot[best]!, pc: bestPc };
  }

  /**
   * The best waiting interaction agent `a` can take now, over E(p, c) for its free channels.
   * Compares the signatures' cached heads; only a head this agent declined sends it into the heap.
   */
  bestHeadFor(a: Agent, now: number): { ix: Interaction; pc: ProfileChannel } | null {
    const rec = this.ixs.rec;
    const bySlot = this.ixs.bySlot;
    const ordering = this.ordering;
    let bestPc: ProfileChannel | null = null;
    let bSlot = -1;
    let bBand = 0;
    let bKey = 0;
    let bSeq = 0;
    let bQueue: Queue | null = null;
    let bLevel = 0;
    const profile = a.profile;
    const levelled = profile.levelled;
    // Trunk reservation: an idle member of a queue at its reserve takes only that queue's work.
    const held = a.idle && this.reservation.active > 0;
    const chans = profile.chans;
    for (let c = 0; c < chans.length; c++) {
      const pc = chans[c];
      if (!canTake(a, pc)) continue;
      const sigs = pc.sigs;
      for (let i = 0; i < sigs.length; i++) {
        const sig = sigs[i];
        let slot = sig.hSlot;
        if (slot < 0) continue;
        const sq = sig.queue;
        if (held && this.reservation.blocked(a, sq)) continue;
        if (sq.deferred || reserveResting(profile, sq)) continue;
        let band = sig.hBand;
        let key = sig.hKey;
        let seq = sig.hSeq;
        if (sig.hRejected && excluded(bySlot[slot]!, a)) {
          this.matchAgent = a;
          slot = sig.heap.findFirst(this.notDeclinedByMatchAgent);
          if (slot < 0) continue;
          band = rec[slot * R_SIZE + R_BAND];
          key = rec[slot * R_SIZE + R_KEY];
          seq = rec[slot * R_SIZE + R_SEQ];
        }
        // The agent's level in the head's queue (1 for every head of a profile without levels).
        let level = 1;
        if (levelled) {
          level = pc.levels[i];
          if (level > profile.bestLevel && pc.delays[i] > 0 && now - rec[slot * R_SIZE + R_ENTERED] >= pc.delays[i]) level = profile.bestLevel;
        }
        if (bestPc !== null && (level > bLevel || (level === bLevel && !ordering.better(band, key, seq, sig.queue, bBand, bKey, bSeq, bQueue!, now)))) continue;
        bLevel = level;
        bestPc = pc;
        bSlot = slot;
        bBand = band;
        bKey = key;
        bSeq = seq;
        bQueue = sig.queue;
      }
    }
    return bestPc === null ? null : { ix: bySlot[bSlot]!, pc: bestPc };
  }
}
