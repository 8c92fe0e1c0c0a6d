/**
 * Where an interaction waits: its entry into a queue (the ordering key, its band and the queue's
 * times), its signature heaps (one per alternative) with their cached heads, and its
 * signatures' use counts for the collection. An interaction is in its heaps while some agent
 * may still be offered it: queued, not held (scheduled work) and outside any preference window,
 * or offered on a queue that offers it to several agents at once and not yet to as many as it may.
 */
import type { LinkedLists } from '../queues/linked-list.ts';
import { BAND_ESCALATED, BAND_LATE, BAND_NORMAL, type Interaction, type Queue, type Signature } from './entities.ts';
import {
  heldUntil,
  moreOf,
  R_ARRIVAL,
  R_BAND,
  R_DEADLINE,
  R_DECLINED,
  R_ENTERED,
  R_ESCALATE,
  R_EXPLICIT,
  R_KEY,
  R_LATE,
  R_MAX_WAIT,
  R_SEQ,
  R_SIZE,
  type InteractionTable,
} from './interaction-table.ts';
import type { Ordering } from './ordering.ts';
import type { Preferences } from './preferences.ts';
import type { RoutingIndex } from './routing-index.ts';

/** A band other than normal that work enters at once (said by InteractionReclassified), or null. */
export type EnteredBand = 'escalated' | 'late' | null;

export class Waiting {
  constructor(
    private readonly ixs: InteractionTable,
    private readonly index: RoutingIndex,
    private readonly ordering: Ordering,
    private readonly lists: LinkedLists,
    private readonly prefs: Preferences,
  ) {}

  /**
   * Sets queue-dependent fields, the ordering key and band timers on entering queue `q` at `now`.
   * Returns the band it enters at once when that is escalated or late and it was not in it
   * already (old work transferred, a submission past its deadline), else null.
   */
  enter(ix: Interaction, q: Queue, now: number): EnteredBand {
    const rec = this.ixs.rec;
    const r = ix.slot * R_SIZE;
    const before = rec[r + R_BAND];
    ix.queue = q;
    // Held work enters its queue when it is released.
    const from = heldUntil(ix) || now;
    rec[r + R_ENTERED] = from;
    rec[r + R_DEADLINE] = Number.isNaN(rec[r + R_EXPLICIT]) ? rec[r + R_ARRIVAL] + q.objective.thresholdMs : rec[r + R_EXPLICIT];
    rec[r + R_ESCALATE] = q.escalateAfterMs === null ? Number.NaN : rec[r + R_ARRIVAL] + q.escalateAfterMs;
    rec[r + R_MAX_WAIT] = q.maxWaitMs === null ? Number.NaN : from + q.maxWaitMs;
    rec[r + R_LATE] = this.ordering.hasLateBand ? rec[r + R_DEADLINE] : Number.NaN;
    let band = BAND_NORMAL;
    if (rec[r + R_ESCALATE] <= now) band = BAND_ESCALATED;
    else if (rec[r + R_LATE] <= now) band = BAND_LATE;
    rec[r + R_BAND] = band;
    rec[r + R_KEY] = this.ordering.key(ix, band);
    this.lists.append(q.waiting, ix.slot);
    return band === before || band === BAND_NORMAL ? null : band === BAND_ESCALATED ? 'escalated' : 'late';
  }

  /** Is it in its signature heaps? */
  has(ix: Interaction): boolean {
    return ix.sig.heap.has(ix.slot);
  }

  /**
   * Files the interaction in its signature heaps (one per alternative) at its key; a queued one
   * counts as queued. Not called for one that is already there.
   */
  push(ix: Interaction): void {
    const rec = this.ixs.rec;
    const slot = ix.slot;
    const band = rec[slot * R_SIZE + R_BAND];
    const key = rec[slot * R_SIZE + R_KEY];
    const seq = rec[slot * R_SIZE + R_SEQ];
    ix.sig.heap.push(slot, band, key, seq);
    this.refreshHead(ix.sig);
    if (ix.alts !== null)
      for (const sig of ix.alts) {
        sig.heap.push(slot, band, key, seq);
        this.refreshHead(sig);
      }
    if (ix.status === 'queued') this.ixs.queuedCount++;
  }

  /** Takes it out of its signature heaps, if it is there. */
  pull(ix: Interaction): void {
    if (ix.sig.heap.remove(ix.slot)) {
      if (ix.status === 'queued') this.ixs.queuedCount--;
      this.refreshHead(ix.sig);
      if (ix.alts !== null)
        for (const sig of ix.alts) {
          sig.heap.remove(ix.slot);
          this.refreshHead(sig);
        }
    }
  }

  /**
   * Scheduled work: holds a queued interaction out of its heaps until `until` (the engine releases
   * it then); its wait in queue, and so its max wait, count from then.
   */
  hold(ix: Interaction, until: number): void {
    moreOf(ix).heldUntil = until;
    this.pull(ix);
    this.restartWait(ix, until);
  }

  /** Lifts a hold before its time: its wait in queue counts from `now`. */
  lift(ix: Interaction, now: number): void {
    moreOf(ix).heldUntil = 0;
    this.restartWait(ix, now);
  }

  /** Its wait in the queue, and so its max wait, count from `from`. */
  private restartWait(ix: Interaction, from: number): void {
    const rec = this.ixs.rec;
    const r = ix.slot * R_SIZE;
    rec[r + R_ENTERED] = from;
    rec[r + R_MAX_WAIT] = ix.queue.maxWaitMs === null ? Number.NaN : from + ix.queue.maxWaitMs;
  }

  /** Moves a queued or offered interaction to a new band or signatures (null: the same), re-keyed. */
  rekey(ix: Interaction, band: number, sigs: Signature[] | null): void {
    const inHeap = ix.sig.heap.has(ix.slot);
    if (inHeap) this.pull(ix);
    const rec = this.ixs.rec;
    rec[ix.slot * R_SIZE + R_BAND] = band;
    rec[ix.slot * R_SIZE + R_KEY] = this.ordering.key(ix, band);
    if (sigs !== null) this.setSignatures(ix, sigs);
    if (inHeap) this.push(ix);
    this.prefs.resort(ix);
  }

  /**
   * Sets the interaction's signatures (the first, and the other alternatives'), taking them
   * from the ones it had (`replace`) for the collection's use counts.
   */
  setSignatures(ix: Interaction, sigs: readonly Signature[] | Signature, replace = true): void {
    if (Array.isArray(sigs)) for (const sig of sigs) this.index.ref(sig, 1);
    else this.index.ref(sigs as Signature, 1);
    if (replace) this.releaseSignatures(ix);
    if (Array.isArray(sigs)) {
      ix.sig = sigs[0];
      ix.alts = sigs.length > 1 ? sigs.slice(1) : null;
    } else {
      ix.sig = sigs as Signature;
      ix.alts = null;
    }
  }

  /** The interaction gives up its signatures (for the collection's use counts). */
  releaseSignatures(ix: Interaction): void {
    this.index.ref(ix.sig, -1);
    if (ix.alts !== null) for (const sig of ix.alts) this.index.ref(sig, -1);
  }

  /** Caches the heap's head and its ordering key (hRejected: someone declined or holds it). */
  private refreshHead(sig: Signature): void {
    const h = sig.heap.peek();
    sig.hSlot = h;
    if (h < 0) return;
    sig.hBand = sig.heap.topA();
    sig.hKey = sig.heap.topB();
    sig.hSeq = sig.heap.topC();
    sig.hRejected = this.ixs.rec[h * R_SIZE + R_DECLINED] === 1;
  }
}
