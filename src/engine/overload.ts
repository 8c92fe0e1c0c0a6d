/**
 * Overload (`QueueSpec.reserveWhen` / `reserveUntil`) and what hangs on it:
 * - a queue with an overload rule goes into overload when any measure it names reaches its
 *   threshold, and leaves it once every one of them is back (hysteresis);
 * - while it is in overload its reserve agents (`AgentSpec.queues[q].reserve`) take its work;
 *   otherwise they take none of it, except work that names them;
 * - deferrable work (`QueueSpec.deferrable.whileHealthy`) is not offered while any queue it names
 *   is in overload (blending: email waits while voice is behind).
 *
 * The measures, each O(1) but the oldest wait (the queue's first queued interactions in entry
 * order, a few steps; work being offered is not waiting for an agent): the estimated wait of the next arrival (queued × average handle time ÷
 * logged-in regular members; unbounded while work waits and none is logged in; unknown until the
 * queue handled work), the oldest wait in the queue, and its service level (answered within the
 * threshold ÷ answered, abandoned and expired; unknown until any settled). The engine reads them
 * after every step, for the queues with a rule only (none: nothing is done); the oldest wait
 * also arms a timer for when it will reach its threshold.
 */
import type { LinkedLists } from '../queues/linked-list.ts';
import type { Interaction, Profile, Queue } from './entities.ts';
import { heldUntil, R_ENTERED, R_SIZE, type InteractionTable } from './interaction-table.ts';
import type { EngineEvent, OverloadMeasure } from './types.ts';

/** What overload asks of the engine. */
export interface OverloadHost {
  emit(e: EngineEvent): void;
  /** Asks for a waiting interaction to be matched again (who may take it changed). */
  pendingIx(ix: Interaction): void;
}

/** How far the oldest wait looks past held (scheduled) work at the head of a queue. */
const OLDEST_LOOKAHEAD = 64;

/** Is `p` a reserve agent of `q` while `q` is not in overload (so it may not take `q`'s work)? */
export function reserveResting(p: Profile, q: Queue): boolean {
  return p.reserveOf !== null && !q.overloaded && p.reserveOf.has(q.id);
}

export class Overload {
  /** The queues with an overload rule, in no particular order. */
  tracked: Queue[] = [];
  /** When the next oldest-wait threshold is reached (+∞: none). */
  nextDue = Number.POSITIVE_INFINITY;
  /** Queue id → the deferrable queues that name it. */
  private dependents = new Map<string, Queue[]>();

  constructor(
    private readonly queues: ReadonlyMap<string, Queue>,
    private readonly ixs: InteractionTable,
    private readonly lists: LinkedLists,
    private readonly host: OverloadHost,
  ) {}

  /** A profile's logged-in count changed by `d`: the wait estimates of the queues it serves as a regular member follow. */
  staffedChanged(p: Profile, d: number): void {
    if (this.tracked.length === 0) return;
    for (const q of this.trackedOf(p)) q.staffed += d;
  }

  /** The queues with a rule whose estimate counts `p`'s logged-in agents (its regular memberships). */
  private trackedOf(p: Profile): Queue[] {
    if (p.tracked === null) p.tracked = this.tracked.filter((q) => (p.queues.size > 0 ? p.queues.get(q.id)?.reserve === false : !q.membersOnly));
    return p.tracked;
  }

  /**
   * After a queue's overload rule or deferral changed, a queue was removed, or a restore: every
   * derived count again. O(queues + profiles). Deferrable queues no longer deferred have their
   * work matched again.
   */
  rebuild(profiles: Iterable<Profile | null | undefined>): void {
    this.tracked = [];
    this.dependents = new Map();
    for (const q of this.queues.values()) {
      q.staffed = 0;
      if (q.reserveWhen !== null) this.tracked.push(q);
      else q.overloaded = false;
      if (q.deferrable !== null)
        for (const id of q.deferrable.whileHealthy) {
          const list = this.dependents.get(id);
          if (list === undefined) this.dependents.set(id, [q]);
          else list.push(q);
        }
    }
    for (const p of profiles) {
      if (!p) continue;
      p.tracked = null;
      if (p.staffed > 0 && this.tracked.length > 0) for (const q of this.trackedOf(p)) q.staffed += p.staffed;
    }
    for (const q of this.queues.values()) this.deferral(q);
    if (this.tracked.length === 0) this.nextDue = Number.POSITIVE_INFINITY;
  }

  /**
   * Reads every tracked queue's measures at `now`: overload starts and ends, with their events;
   * reserve agents and deferred work are matched again. True when anything changed.
   */
  evaluate(now: number): boolean {
    let changed = false;
    let due = Number.POSITIVE_INFINITY;
    for (const q of this.tracked) {
      if (!q.overloaded) {
        const hit = this.started(q, now);
        if (hit === null) {
          due = Math.min(due, this.oldestDue(q, now));
          continue;
        }
        q.overloaded = true;
        this.host.emit({ type: 'QueueOverloadStarted', at: now, queueId: q.id, measure: hit.measure, value: hit.value });
        // Its reserve agents may take its work now.
        this.pendWaiting(q);
        for (const d of this.dependents.get(q.id) ?? []) this.deferral(d);
        changed = true;
      } else if (this.recovered(q, now)) {
        q.overloaded = false;
        this.host.emit({ type: 'QueueOverloadEnded', at: now, queueId: q.id });
        for (const d of this.dependents.get(q.id) ?? []) this.deferral(d);
        changed = true;
        due = Math.min(due, this.oldestDue(q, now));
      }
    }
    this.nextDue = due > now ? due : Number.POSITIVE_INFINITY;
    return changed;
  }

  /** After a restore: when the next oldest-wait threshold is reached (no state changes). */
  rearm(now: number): void {
    let due = Number.POSITIVE_INFINITY;
    for (const q of this.tracked) if (!q.overloaded) due = Math.min(due, this.oldestDue(q, now));
    this.nextDue = due > now ? due : Number.POSITIVE_INFINITY;
  }

  /** Recomputes whether deferrable queue `d` is deferred; work no longer deferred is matched again. */
  private deferral(d: Queue): void {
    let deferred = false;
    if (d.deferrable !== null) for (const id of d.deferrable.whileHealthy) if (this.queues.get(id)?.overloaded === true) deferred = true;
    if (d.deferred === deferred) return;
    d.deferred = deferred;
    if (!deferred) this.pendWaiting(d);
  }

  /** The first measure that starts overload now, with its value; null: none. */
  private started(q: Queue, now: number): { measure: OverloadMeasure; value: number | null } | null {
    const w = q.reserveWhen!;
    if (w.estimatedWaitMs !== undefined) {
      const v = estimatedWait(q);
      if (v !== null && v >= w.estimatedWaitMs) return { measure: 'estimatedWaitMs', value: Number.isFinite(v) ? Math.round(v) : null };
    }
    if (w.oldestWaitMs !== undefined) {
      const entered = this.oldestEntered(q, now);
      if (entered !== null && now - entered >= w.oldestWaitMs) return { measure: 'oldestWaitMs', value: now - entered };
    }
    if (w.serviceLevelBelow !== undefined) {
      const v = serviceLevel(q);
      if (v !== null && v < w.serviceLevelBelow) return { measure: 'serviceLevelBelow', value: v };
    }
    return null;
  }

  /** Is every measure `reserveWhen` names back (below `reserveUntil`'s values, or its own)? */
  private recovered(q: Queue, now: number): boolean {
    const w = q.reserveWhen!;
    const u = q.reserveUntil;
    if (w.estimatedWaitMs !== undefined) {
      const v = estimatedWait(q);
      if (v !== null && v >= (u?.estimatedWaitMs ?? w.estimatedWaitMs)) return false;
    }
    if (w.oldestWaitMs !== undefined) {
      const entered = this.oldestEntered(q, now);
      if (entered !== null && now - entered >= (u?.oldestWaitMs ?? w.oldestWaitMs)) return false;
    }
    if (w.serviceLevelBelow !== undefined) {
      const v = serviceLevel(q);
      if (v !== null && v < (u?.serviceLevelAtLeast ?? w.serviceLevelBelow)) return false;
    }
    return true;
  }

  /** When the oldest wait of `q` reaches its overload threshold (+∞: no such rule, or nothing queued). */
  private oldestDue(q: Queue, now: number): number {
    const t = q.reserveWhen!.oldestWaitMs;
    if (t === undefined) return Number.POSITIVE_INFINITY;
    const entered = this.oldestEntered(q, now);
    return entered === null ? Number.POSITIVE_INFINITY : entered + t;
  }

  /** When the first queued interaction of `q` (in entry order; not offered, not held) entered it; null: none. */
  oldestEntered(q: Queue, now: number): number | null {
    let steps = 0;
    for (let h = q.waiting.head; h >= 0 && steps < OLDEST_LOOKAHEAD; h = this.lists.following(h), steps++) {
      const ix = this.ixs.bySlot[h]!;
      if (ix.status !== 'queued' || heldUntil(ix) !== 0) continue;
      const entered = this.ixs.rec[h * R_SIZE + R_ENTERED];
      return entered <= now ? entered : null;
    }
    return null;
  }

  /**
   * Every interaction of `q` that wants an offer is matched again (who may take its work
   * changed): queued ones, and on a multi-offer queue offered ones with offers still to make.
   */
  private pendWaiting(q: Queue): void {
    for (let h = q.waiting.head; h >= 0; h = this.lists.following(h)) {
      const ix = this.ixs.bySlot[h]!;
      if (heldUntil(ix) !== 0) continue;
      const open = ix.status !== 'offered' ? 0 : ix.open === null ? 1 : 1 + ix.open.length;
      if (ix.status === 'queued' || (ix.status === 'offered' && open < q.offerFanout)) this.host.pendingIx(ix);
    }
  }
}

/** The estimated wait of the next arrival in `q` (see above); +∞ while work waits and no regular member is logged in; null: unknown. */
export function estimatedWait(q: Queue): number | null {
  const queued = q.waiting.size - q.offered;
  if (q.staffed === 0) return queued > 0 ? Number.POSITIVE_INFINITY : null;
  const c = q.counters;
  return c.handled === 0 ? null : ((queued + 1) * (c.handleMsTotal / c.handled)) / q.staffed;
}

/** Answered within the threshold ÷ answered, abandoned and expired; null until any settled. */
export function serviceLevel(q: Queue): number | null {
  const c = q.counters;
  const settled = c.answered + c.abandoned + c.expired;
  return settled === 0 ? null : c.answeredWithinThreshold / settled;
}
